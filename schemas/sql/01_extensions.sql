-- Extensions the application relies on.
CREATE EXTENSION IF NOT EXISTS pgcrypto;   -- gen_random_uuid(), digest()
CREATE EXTENSION IF NOT EXISTS citext;     -- case-insensitive e-mail addresses

-- Money and invoicing live apart from the storefront.
CREATE SCHEMA billing;
