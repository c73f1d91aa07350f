CREATE TABLE categories (
    id        serial PRIMARY KEY,
    store_id  uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    parent_id integer REFERENCES categories (id) ON DELETE SET NULL,
    name      text NOT NULL,
    position  smallint NOT NULL DEFAULT 0,
    UNIQUE (store_id, name)
);
CREATE INDEX categories_parent_id_idx ON categories (parent_id);

CREATE TABLE products (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id     uuid NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    category_id  integer REFERENCES categories (id) ON DELETE SET NULL,
    title        varchar(200) NOT NULL,
    description  text,
    tags         text[] NOT NULL DEFAULT '{}',
    attributes   jsonb NOT NULL DEFAULT '{}'::jsonb,
    published_at timestamptz,
    archived_at  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT products_archived_after_published
        CHECK (archived_at IS NULL OR published_at IS NULL OR archived_at >= published_at)
);
COMMENT ON TABLE products IS 'What a store sells; prices live on variants';
CREATE INDEX products_store_id_idx ON products (store_id);
CREATE INDEX products_category_id_idx ON products (category_id);
-- Storefront search and listing.
CREATE INDEX products_title_lower_idx ON products (store_id, lower(title));
CREATE INDEX products_live_idx ON products (store_id, published_at DESC)
    WHERE archived_at IS NULL AND published_at IS NOT NULL;
CREATE INDEX products_tags_idx ON products USING gin (tags);
CREATE INDEX products_attributes_idx ON products USING gin (attributes jsonb_path_ops);

CREATE TABLE product_variants (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    product_id  uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sku         varchar(64) NOT NULL,
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    stock       integer NOT NULL DEFAULT 0,
    weight_g    integer,
    CONSTRAINT product_variants_sku_key UNIQUE (product_id, sku),
    CONSTRAINT product_variants_stock_check CHECK (stock >= 0)
);
CREATE INDEX product_variants_sku_idx ON product_variants (upper(sku));
