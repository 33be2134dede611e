#!/usr/bin/env python3
"""moto's server (the SQS peer of scripts/test and scripts/soak) with two fixes to its SQS:
a quadratic cost on ReceiveMessage and a race that loses messages it acknowledged
(scripts/lib/moto_fixes.py says what and why; docs/reliability.md, the chaos soak).

    .tmp/moto-venv/bin/python scripts/moto-server.py -H 127.0.0.1 -p PORT   # moto_server's flags
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import moto_fixes  # noqa: E402
from moto.server import main  # noqa: E402

moto_fixes.apply()
sys.exit(main())
