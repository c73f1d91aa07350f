--
-- PostgreSQL database dump
--

\restrict q0Seakyyrb61hQWMEu3u5T66uo9aexCOW35lQ8gB24fm8kczbtyvryfoNkO6dmY

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: app; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA app;


ALTER SCHEMA app OWNER TO postgres;

--
-- Name: citext; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;


--
-- Name: EXTENSION citext; Type: COMMENT; Schema: -; Owner: 
--

COMMENT ON EXTENSION citext IS 'data type for case-insensitive character strings';


--
-- Name: mood; Type: TYPE; Schema: app; Owner: postgres
--

CREATE TYPE app.mood AS ENUM (
    'happy',
    'sad'
);


ALTER TYPE app.mood OWNER TO postgres;

--
-- Name: counter; Type: SEQUENCE; Schema: app; Owner: postgres
--

CREATE SEQUENCE app.counter
    AS smallint
    START WITH 1
    INCREMENT BY 5
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
    CYCLE;


ALTER TABLE app.counter OWNER TO postgres;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: posts; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.posts (
    id bigint NOT NULL,
    user_id integer NOT NULL,
    title text NOT NULL,
    body text,
    score numeric(5,2) DEFAULT 0,
    tags text[] DEFAULT '{}'::text[],
    CONSTRAINT posts_score_check CHECK (((score >= (0)::numeric) AND (score <= (100)::numeric)))
);


ALTER TABLE app.posts OWNER TO postgres;

--
-- Name: COLUMN posts.title; Type: COMMENT; Schema: app; Owner: postgres
--

COMMENT ON COLUMN app.posts.title IS 'headline';


--
-- Name: posts_id_seq; Type: SEQUENCE; Schema: app; Owner: postgres
--

ALTER TABLE app.posts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.posts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: users; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.users (
    id integer NOT NULL,
    email public.citext NOT NULL,
    mood app.mood DEFAULT 'happy'::app.mood,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    name character varying(100),
    CONSTRAINT users_name_check CHECK (((name)::text <> ''::text))
);


ALTER TABLE app.users OWNER TO postgres;

--
-- Name: TABLE users; Type: COMMENT; Schema: app; Owner: postgres
--

COMMENT ON TABLE app.users IS 'people';


--
-- Name: users_id_seq; Type: SEQUENCE; Schema: app; Owner: postgres
--

CREATE SEQUENCE app.users_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE app.users_id_seq OWNER TO postgres;

--
-- Name: users_id_seq; Type: SEQUENCE OWNED BY; Schema: app; Owner: postgres
--

ALTER SEQUENCE app.users_id_seq OWNED BY app.users.id;


--
-- Name: users id; Type: DEFAULT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.users ALTER COLUMN id SET DEFAULT nextval('app.users_id_seq'::regclass);


--
-- Name: posts posts_pkey; Type: CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.posts
    ADD CONSTRAINT posts_pkey PRIMARY KEY (id);


--
-- Name: users users_email_key; Type: CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.users
    ADD CONSTRAINT users_email_key UNIQUE (email);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: posts_title_lower; Type: INDEX; Schema: app; Owner: postgres
--

CREATE UNIQUE INDEX posts_title_lower ON app.posts USING btree (lower(title)) WHERE (body IS NOT NULL);


--
-- Name: posts_user_id_id_idx; Type: INDEX; Schema: app; Owner: postgres
--

CREATE INDEX posts_user_id_id_idx ON app.posts USING btree (user_id, id DESC);


--
-- Name: posts posts_user_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.posts
    ADD CONSTRAINT posts_user_id_fkey FOREIGN KEY (user_id) REFERENCES app.users(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict q0Seakyyrb61hQWMEu3u5T66uo9aexCOW35lQ8gB24fm8kczbtyvryfoNkO6dmY

