CREATE TABLE customers (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id   uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    email      citext NOT NULL,
    full_name  text,
    marketing_opt_in boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX customers_store_id_idx ON customers (store_id);
-- An e-mail address is unique per store among customers not deleted.
CREATE UNIQUE INDEX customers_store_email_key ON customers (store_id, email) WHERE deleted_at IS NULL;

CREATE TABLE addresses (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    line1       text NOT NULL,
    line2       text,
    city        text NOT NULL,
    postal_code varchar(16) NOT NULL,
    country     char(2) NOT NULL,
    CHECK (country ~ '^[A-Z]{2}$')
);
CREATE INDEX addresses_customer_id_idx ON addresses (customer_id);

CREATE TABLE orders (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id            uuid NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    customer_id         uuid REFERENCES customers (id) ON DELETE SET NULL,
    shipping_address_id bigint REFERENCES addresses (id),
    number              integer NOT NULL,
    status              order_status NOT NULL DEFAULT 'cart',
    subtotal_cents      integer NOT NULL DEFAULT 0,
    shipping_cents      integer NOT NULL DEFAULT 0,
    total_cents         integer GENERATED ALWAYS AS (subtotal_cents + shipping_cents) STORED,
    placed_at           timestamptz,
    CONSTRAINT orders_store_number_key UNIQUE (store_id, number),
    CONSTRAINT orders_placed_when_not_cart CHECK (status = 'cart' OR placed_at IS NOT NULL)
);
COMMENT ON COLUMN orders.number IS 'Human-facing order number, per store';
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX orders_shipping_address_id_idx ON orders (shipping_address_id);
CREATE INDEX orders_open_idx ON orders (store_id, placed_at)
    WHERE status IN ('placed', 'paid');

CREATE TABLE order_items (
    id          bigserial PRIMARY KEY,
    order_id    uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    variant_id  uuid NOT NULL REFERENCES product_variants (id),
    quantity    integer NOT NULL CHECK (quantity > 0),
    unit_cents  integer NOT NULL CHECK (unit_cents >= 0)
);
CREATE INDEX order_items_order_id_idx ON order_items (order_id);
CREATE INDEX order_items_variant_id_idx ON order_items (variant_id);
