//! Every page of the site. Each file is one page; adding a page is writing it.

mod about;
mod api;
mod contexts;
mod counter;
mod guestbook;
mod hello;
mod index;
mod login;
mod not_found;
mod upload;
