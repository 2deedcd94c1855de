/**
 * Redaction where errors are made: every kind of secret a user's configuration can carry is masked in a
 * BatchScoreError's message, and in any other error the activity layer turns into a Temporal failure.
 */
import * as assert from 'node:assert/strict';
import { toFailure } from '../../activities/failures';
import { BatchScoreError, redact } from '../../errors';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nabcdef==\n-----END PRIVATE KEY-----';

describe('errors: secrets are redacted where errors are made', function () {
  const cases: [string, string, string][] = [
    ['credentials in a URL', 'GET http://alice:s3cret-token@mlflow.local:5000/api failed', 's3cret-token'],
    ['a user without password in a URL', 'cannot reach https://ghp_abcdefgh12345678@example.com/x', 'ghp_abcdefgh12345678'],
    ['a bearer token', 'request had Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'eyJhbGciOiJIUzI1NiJ9'],
    ['a secret query parameter', 'GET https://bucket.example.com/f?X-Amz-Signature=abcdef0123456789&x=1', 'abcdef0123456789'],
    ['an access token parameter', 'https://h/api?access_token=tok_9876543210&name=m', 'tok_9876543210'],
    ['a PEM private key', `bad key:\n${PEM}\n`, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'],
  ];
  for (const [what, text, secret] of cases) {
    it(`masks ${what}`, function () {
      const out = redact(text, {});
      assert.ok(!out.includes(secret), out);
      assert.match(out, /\*\*\*/);
    });
  }

  it('masks the values of secret environment variables wherever they appear, and keeps other text', function () {
    const env = {
      TEMPORAL_API_KEY: 'key-1234567890', MLFLOW_TRACKING_PASSWORD: 'hunter22', TEMPORAL_TLS_CLIENT_KEY_DATA: 'keydata-abcdef',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI', HOME: '/root',
    };
    const out = redact('tried key-1234567890 and hunter22 and keydata-abcdef and wJalrXUtnFEMI from /root', env);
    assert.equal(out, 'tried *** and *** and *** and *** from /root');
  });

  it('a BatchScoreError is redacted when it is made; any other error when it becomes a failure', function () {
    process.env.TEST_REDACT_API_KEY = 'apikey-00112233';
    try {
      const made = new BatchScoreError('RegistryRejected', 'MLflow at http://bob:pw123456@h:5000 said no (apikey-00112233)');
      assert.equal(made.message, 'MLflow at http://***@h:5000 said no (***)');
      const failure = toFailure(new Error('fetch https://carol:pw654321@h/x with apikey-00112233 failed'));
      assert.equal(failure.message, 'Error: fetch https://***@h/x with *** failed');
    } finally {
      delete process.env.TEST_REDACT_API_KEY;
    }
  });
});
