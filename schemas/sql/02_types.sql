CREATE TYPE member_role AS ENUM ('owner', 'admin', 'staff', 'viewer');
COMMENT ON TYPE member_role IS 'What a member may do in a store';

CREATE TYPE order_status AS ENUM ('cart', 'placed', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded');

CREATE TYPE billing.payment_state AS ENUM ('pending', 'authorized', 'captured', 'failed', 'refunded');
