-- The schema of pg_dump.sql, as a person writes it.
create extension citext;
create schema app;
set search_path = app, public;

create type mood as enum ('happy', 'sad');

create table users (
  id serial primary key,
  email citext not null unique,
  mood mood default 'happy',
  created_at timestamptz not null default now(),
  name varchar(100) check (name <> '')
);
comment on table users is 'people';

create table posts (
  id bigint generated always as identity primary key,
  user_id int not null references users on delete cascade,
  title text not null,
  body text,
  score numeric(5,2) default 0 check (score between 0 and 100),
  tags text[] default '{}'
);
comment on column posts.title is 'headline';

create index on posts (user_id, id desc);
create unique index posts_title_lower on posts (lower(title)) where body is not null;
create sequence counter as smallint increment 5 cycle;
