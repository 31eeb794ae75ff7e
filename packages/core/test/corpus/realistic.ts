// Hand-written lines in the shapes credentials take in real configs, code and logs (values are
// invented). `secret` is the part that must be redacted; negatives must not be touched.

export interface RealisticPositive {
  text: string;
  secret: string;
}

export const REALISTIC_POSITIVES: readonly RealisticPositive[] = [
  { text: "spring.datasource.password=Xk9#vL2$mQ7p", secret: "Xk9#vL2$mQ7p" },
  { text: '{"username": "svc-deploy", "password": "Tr0ub4dor&3"}', secret: "Tr0ub4dor&3" },
  { text: "DB_PASS='s3cr3t-P@ss;word'", secret: "s3cr3t-P@ss;word" },
  { text: "<configuration><password>Zx8!kLm2qP</password></configuration>", secret: "Zx8!kLm2qP" },
  { text: "$ ./migrate --host db.internal --password=Qw3rty!Uiop9 --dry-run", secret: "Qw3rty!Uiop9" },
  { text: "client_secret: 8Jk3mN9pQ2rS5tU7vW1xY4zA6bC0dE2f", secret: "8Jk3mN9pQ2rS5tU7vW1xY4zA6bC0dE2f" },
  { text: "X-Api-Key: 3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e", secret: "3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e" },
  { text: "$config['password'] => 'S0meP@ssw0rd!';", secret: "S0meP@ssw0rd!" },
  { text: "'password' => 'S0meP@ssw0rd!',", secret: "S0meP@ssw0rd!" },
  {
    text: "Server=tcp:acme.database.windows.net,1433;Database=app;User ID=sa;Password=Str0ng!Pass#2024;Encrypt=true;",
    secret: "Str0ng!Pass#2024",
  },
  { text: "machine api.example.com login deploy password Hx7#kP2mQ9w", secret: "Hx7#kP2mQ9w" },
  { text: 'SECRET_KEY = "django-insecure-7h$k2m!p9q@r5s&t8u*v1w3x"', secret: "django-insecure-7h$k2m!p9q@r5s&t8u*v1w3x" },
  { text: "export SLACK_SIGNING_SECRET=8f14e45fceea167a5a36dedd4bea2543", secret: "8f14e45fceea167a5a36dedd4bea2543" },
  { text: '  "accessToken": "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ7x"', secret: "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ7x" },
  { text: "curl -s -H 'Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0ffee' https://api.example.com", secret: "9f8e7d6c5b4a39281706f5e4d3c2b1a0ffee" },
  { text: "git remote set-url origin https://oauth2:Kq8vX2mP9sL4tR7w@gitlab.example.com/acme/app.git", secret: "Kq8vX2mP9sL4tR7w" },
  { text: "REDIS_PASSWORD=rP4$sW0rd-2024!xq", secret: "rP4$sW0rd-2024!xq" },
  { text: "smtp_password = \"mK9!vQ2#zL5@\"", secret: "mK9!vQ2#zL5@" },
  { text: "ENCRYPTION_KEY=Yk2Vb9Qx7Lm4Np1Rs8Tu3Wz6Ac0De5Fg", secret: "Yk2Vb9Qx7Lm4Np1Rs8Tu3Wz6Ac0De5Fg" },
  { text: "api_key=a8F3kL9mQ2pR7sT1vW5xZ0bC4dE6gH8j&format=json", secret: "a8F3kL9mQ2pR7sT1vW5xZ0bC4dE6gH8j" },
];

export const REALISTIC_NEGATIVES: readonly string[] = [
  '{"errors": {"password": "is too short (minimum is 12 characters)"}}',
  'password: "must contain 1 digit"',
  "Enter your password: ",
  "password reset link sent to ada@example.com",
  "Forgot your password? Click here.",
  "The API key must be sent in the X-API-Key header.",
  "token_count=1532 max_tokens=4096 tokens_used=2210",
  '{"token_type":"bearer","expires_in":3600,"scope":"repo"}',
  '{"secretName":"gatehouse-db","secretKey":"password"}',
  "api_version=2024-06-01&api_key_id=ak_live_index",
  "<input type=\"password\" name=\"password\" autocomplete=\"new-password\">",
  "const password = await prompt('Password: ');",
  "if (password.length < minPasswordLength) throw new Error('weak password');",
  'password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"',
  "sha256sum: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  "commit 5c9a1f2e3d4b5a6978c8d9e0f1a2b3c4d5e6f7a8 (HEAD -> main, origin/main)",
  '"integrity": "sha512-Zk0OqX5T2f2lS3H8x8cQj7h9f+G8f7Yc0m8x7nA1vQ8Y0fFv9y3bJ0q4hW1c2v3b4n5m6k7j8h9g0f1d2s3a4q5w=="',
  "Authorization: Bearer <YOUR_TOKEN>",
  "export API_TOKEN=$(vault kv get -field=token secret/ci)",
  "password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256",
  "machine github.com login ada password ${GITHUB_TOKEN}",
  "session_id=3f1c9a2e-8b7d-4c6e-9f0a-1b2c3d4e5f60 user=ada",
  "secret_store: vault\nsecret_path: kv/app/db\nsecret_version: 3",
  "https://example.com/reset?token_expires_at=2025-06-01T00:00:00Z",
  '{"passwordHash": "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"}',
  "userPasswordLength=16 passwordUpdatedAt=2025-06-01",
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
];
