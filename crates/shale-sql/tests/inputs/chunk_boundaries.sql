-- Statement boundaries right after every construct that may hold a `;` (chunks.rs):
-- parsed a statement at a time, this file must read exactly as parsed whole.
/* a comment; /* nested; */ still the comment; */
CREATE SCHEMA app;
SET search_path = app, public;

CREATE TYPE mood AS ENUM ('sad;', 'o''k;', E'ha\'ppy;');

-- shale:renamed-from clients
CREATE TABLE "odd;name" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "semi;colon" text DEFAULT 'a;b' NOT NULL,  -- shale:renamed-from old_semi
    note text DEFAULT E'x\\;y\'' CHECK (note <> E'\';'),
    m mood,
    -- shale:renamed-from odd_old_check
    CONSTRAINT odd_check CHECK ("semi;colon" <> $$;$$)
);

COMMENT ON TABLE "odd;name" IS 'text; with a semicolon
spanning lines;';

COMMENT ON COLUMN "odd;name".note IS E'one\n'
  'continued;'  -- still the same constant
  'and more;';

CREATE FUNCTION app.body(a int) RETURNS int LANGUAGE plpgsql AS $fn$
BEGIN
  -- $$ inside another tag; and a ;
  RETURN a + 1; /* ; */
END;
$fn$;

CREATE FUNCTION app.atomic_body(a int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;
  SELECT a + 1;
END;

CREATE PROCEDURE app.atomic_proc(a int) LANGUAGE sql
begin
  atomic
  insert into "odd;name" ("semi;colon") values ('x;' || a);
end;

CREATE TABLE app.log (id int PRIMARY KEY, msg text);
CREATE TABLE app.log2 (id int PRIMARY KEY, msg text);

CREATE RULE log_rule AS ON INSERT TO app.log DO ALSO (
    INSERT INTO app.log2 VALUES (NEW.id, NEW.msg);
    DELETE FROM app.log2 WHERE id < 0
);

CREATE VIEW app.v AS SELECT id, $q$;$q$ AS s, 'it''s;' AS t, E'\\;' AS u FROM "odd;name";

ALTER TABLE app.log ADD COLUMN extra text DEFAULT ';';  -- shale:renamed-from extra_old
-- shale:renamed-from log_msg_old
ALTER TABLE app.log ADD CONSTRAINT log_msg_check CHECK (msg <> ';');

CREATE INDEX log_msg_idx ON app.log (msg) WHERE msg <> '-- ;';  -- shale:renamed-from log_idx

COMMENT ON VIEW app.v IS U&'\0041;';
CREATE TABLE app.tail (a int, b text DEFAULT '/* ; */', c text DEFAULT '$x$;')
