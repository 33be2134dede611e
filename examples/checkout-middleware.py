#!/usr/bin/env python3
"""A tiny OrderCheckout middleware for trying cartwire's checkout callouts (standard library only).

Usage: python3 examples/checkout-middleware.py HOST:PORT HASH_KEY

It refuses any call whose X-oc-hash is not base64(HMAC-SHA256(HASH_KEY, raw body)), then answers
/shippingrates with two ship methods, /ordercalculate with 8 % tax on the subtotal, and
/ordersubmit, /ordersubmitforapproval and /orderapproved with an ERP reference in xp. It is an
example of the contract, not production code.
"""

import base64
import hashlib
import hmac
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def answer(path, body):
    worksheet = body.get("OrderWorksheet") or {}
    order = worksheet.get("Order") or {}
    lines = worksheet.get("LineItems") or []
    if path.endswith("/shippingrates"):
        return {
            "ShipEstimates": [{
                "ID": "all-items",
                "ShipEstimateItems": [{"LineItemID": li["ID"], "Quantity": li["Quantity"]} for li in lines],
                "ShipMethods": [
                    {"ID": "ground", "Name": "Ground", "Cost": 7.5, "EstimatedTransitDays": 5},
                    {"ID": "express", "Name": "Express", "Cost": 19, "EstimatedTransitDays": 1},
                ],
            }]
        }
    if path.endswith("/ordercalculate"):
        cents = round(order.get("Subtotal", 0) * 100)
        return {"TaxTotal": (cents * 8 // 100) / 100, "LineItemOverrides": []}
    if path.endswith(("/ordersubmit", "/ordersubmitforapproval", "/orderapproved")):
        return {"xp": {"erpOrderId": "ERP-" + str(order.get("ID"))}}
    return None


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        expected = base64.b64encode(hmac.new(KEY, raw, hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, self.headers.get("X-oc-hash", "")):
            return self.reply(401, {"Errors": [{"ErrorCode": "Unauthorized", "Message": "X-oc-hash mismatch"}]})
        result = answer(self.path.rstrip("/"), json.loads(raw or b"{}"))
        if result is None:
            return self.reply(404, {"Message": "no such step: " + self.path})
        self.reply(200, result)

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        sys.stderr.write("middleware: " + (fmt % args) + "\n")


if __name__ == "__main__":
    host, port = sys.argv[1].rsplit(":", 1)
    KEY = sys.argv[2].encode()
    ThreadingHTTPServer((host, int(port)), Handler).serve_forever()
