// A real OpenID Connect provider for cartwire's single sign-on tests (panva/oidc-provider,
// certified by the OpenID Foundation). Any login and password sign in (dev interactions); tests
// register their own client with the redirect URI of the server they start (/reg).
// Usage: node server.mjs HOST:PORT
import Provider from 'oidc-provider';

const [host, port] = (process.argv[2] || '127.0.0.1:9400').split(':');
const issuer = `http://${host}:${port}`;
const provider = new Provider(issuer, {
  features: { devInteractions: { enabled: true }, registration: { enabled: true } },
  pkce: { required: () => true, methods: ['S256'] },
  ttl: { AuthorizationCode: 60 },
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub, email: `${sub}@idp.example` }; } };
  },
});
provider.listen(Number(port), host, () => console.log(`oidc-provider listening on ${issuer}`));
