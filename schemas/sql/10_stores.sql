-- Tenants: each store is one customer of the SaaS.
CREATE TABLE stores (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        varchar(63) NOT NULL UNIQUE,
    name        text NOT NULL,
    currency    char(3) NOT NULL DEFAULT 'EUR',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT stores_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
    CHECK (currency = upper(currency))
);
COMMENT ON TABLE stores IS 'A tenant: one shop run on the platform';
COMMENT ON COLUMN stores.slug IS 'Sub-domain of the storefront';

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         citext NOT NULL UNIQUE,
    password_hash text,
    display_name  text NOT NULL,
    last_login_at timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE users IS 'Staff accounts that log in to the back office';

CREATE TABLE store_members (
    store_id   uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       member_role NOT NULL DEFAULT 'staff',
    invited_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, user_id)
);
CREATE INDEX store_members_user_id_idx ON store_members (user_id);
-- At most one owner per store.
CREATE UNIQUE INDEX store_members_one_owner ON store_members (store_id) WHERE role = 'owner';
