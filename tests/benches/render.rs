//! Rendering speed of rsp's `html!` against sailfish and askama. The first two workloads
//! are template-benchmarks-rs's (big-table and teams); the others hold what real pages
//! hold: integers and floats of every size, long text with and without characters to
//! escape, many small values, attributes and URLs. Each workload is one criterion group,
//! so the engines are measured in the same run and their ratios can be compared.
//!
//! All three templates of a workload have the same layout; sailfish and askama read theirs
//! from `templates/`. Before measuring, each workload checks that the three outputs are
//! equal once whitespace is removed and entities decoded (the engines spell `"` and `'`
//! differently), so every engine does the same work.
//!
//! Run: `cargo bench -p rsp-tests --bench render`.

use askama::Template;
use criterion::{criterion_group, criterion_main, Criterion};
use rsp::prelude::*;
use sailfish::TemplateOnce;

/// The text with all ASCII whitespace removed and the entities the engines write decoded.
fn normalize(text: &str) -> String {
    let squeezed: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    [
        ("&#34;", "\""),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&#039;", "'"),
        ("&lt;", "<"),
        ("&#60;", "<"),
        ("&gt;", ">"),
        ("&#62;", ">"),
        ("&amp;", "&"),
        ("&#38;", "&"),
    ]
    .iter()
    .fold(squeezed, |text, (entity, character)| {
        text.replace(entity, character)
    })
}

/// Renders an rsp fragment into a fresh buffer, as a handler would.
fn rsp_string(page: impl Render) -> String {
    let mut out = String::new();
    page.render(&mut out);
    out
}

/// Checks that the three engines write the same page, then measures each in one group.
fn compare(
    c: &mut Criterion,
    workload: &str,
    rsp: impl Fn() -> String,
    sailfish: impl Fn() -> String,
    askama: impl Fn() -> String,
) {
    let expected = normalize(&rsp());
    assert_eq!(
        expected,
        normalize(&sailfish()),
        "{workload}: rsp and sailfish differ"
    );
    assert_eq!(
        expected,
        normalize(&askama()),
        "{workload}: rsp and askama differ"
    );

    let mut group = c.benchmark_group(workload);
    group.bench_function("rsp", |b| b.iter(&rsp));
    group.bench_function("sailfish", |b| b.iter(&sailfish));
    group.bench_function("askama", |b| b.iter(&askama));
    group.finish();
}

/// A small deterministic generator, so every run measures the same data.
struct Numbers(u64);

impl Numbers {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `bound`.
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    /// A number of 1 to `max_digits` digits, each length as likely.
    fn of_any_size(&mut self, max_digits: u32) -> u64 {
        let digits = 1 + self.below(u64::from(max_digits)) as u32;
        self.below(10u64.pow(digits))
    }

    /// A word of `len` lowercase letters.
    fn word(&mut self, len: u64) -> String {
        (0..len)
            .map(|_| char::from(b'a' + self.below(26) as u8))
            .collect()
    }

    /// Words separated by spaces, about `len` bytes.
    fn prose(&mut self, len: usize) -> String {
        let mut text = String::new();
        while text.len() < len {
            if !text.is_empty() {
                text.push(' ');
            }
            let word_len = 1 + self.below(9);
            text.push_str(&self.word(word_len));
        }
        text
    }
}

// ---------------------------------------------------------------------------------------
// big-table: 100 rows of the integers 0..100, as in template-benchmarks-rs; and the same
// shape holding 0..10,000.

fn rsp_big_table(table: &[Vec<usize>]) -> impl Render + '_ {
    html!(
        r#"<table>
  <% for row in table { %>
  <tr>
    <% for col in row { %>
    <td><%= col %></td>
    <% } %>
  </tr>
  <% } %>
</table>
"#
    )
}

#[derive(TemplateOnce)]
#[template(path = "big-table.stpl")]
struct SailfishBigTable<'a> {
    table: &'a [Vec<usize>],
}

#[derive(Template)]
#[template(path = "big-table.html")]
struct AskamaBigTable<'a> {
    table: &'a [Vec<usize>],
}

fn big_table_of(c: &mut Criterion, workload: &str, table: &[Vec<usize>]) {
    compare(
        c,
        workload,
        || rsp_string(rsp_big_table(table)),
        || SailfishBigTable { table }.render_once().unwrap(),
        || AskamaBigTable { table }.render().unwrap(),
    );
}

fn big_table(c: &mut Criterion) {
    let table: Vec<Vec<usize>> = (0..100).map(|_| (0..100).collect()).collect();
    big_table_of(c, "big-table", &table);
    let wide: Vec<Vec<usize>> = (0..100)
        .map(|row| (0..100).map(|col| row * 100 + col).collect())
        .collect();
    big_table_of(c, "big-table-0-9999", &wide);
}

// ---------------------------------------------------------------------------------------
// teams: four teams, the first one marked as champion.

struct Team {
    name: String,
    score: u8,
}

fn rsp_teams(year: u16, teams: &[Team]) -> impl Render + '_ {
    html!(
        r#"<html>
  <head>
    <title><%= year %></title>
  </head>
  <body>
    <h1>CSL <%= year %></h1>
    <ul>
      <% for (i, team) in teams.iter().enumerate() { %>
      <li class="<% if i == 0 { %>champion<% } %>">
        <b><%= team.name %></b>: <%= team.score %>
      </li>
      <% } %>
    </ul>
  </body>
</html>
"#
    )
}

#[derive(TemplateOnce)]
#[template(path = "teams.stpl")]
struct SailfishTeams<'a> {
    year: u16,
    teams: &'a [Team],
}

#[derive(Template)]
#[template(path = "teams.html")]
struct AskamaTeams<'a> {
    year: u16,
    teams: &'a [Team],
}

fn teams(c: &mut Criterion) {
    let year = 2015;
    let teams: Vec<Team> = [
        ("Jiangsu", 43),
        ("Beijing", 27),
        ("Guangzhou", 22),
        ("Shandong", 12),
    ]
    .into_iter()
    .map(|(name, score)| Team {
        name: name.to_owned(),
        score,
    })
    .collect();
    let teams = &teams;
    compare(
        c,
        "teams",
        || rsp_string(rsp_teams(year, teams)),
        || SailfishTeams { year, teams }.render_once().unwrap(),
        || AskamaTeams { year, teams }.render().unwrap(),
    );
}

// ---------------------------------------------------------------------------------------
// accounts: 500 rows of integers of every size, signed and unsigned.

struct Account {
    id: u64,
    visits: u32,
    balance: i64,
    change: i32,
}

fn rsp_accounts(accounts: &[Account]) -> impl Render + '_ {
    html!(
        r#"<table>
  <% for account in accounts { %>
  <tr>
    <td><%= account.id %></td>
    <td><%= account.visits %></td>
    <td><%= account.balance %></td>
    <td><%= account.change %></td>
  </tr>
  <% } %>
</table>
"#
    )
}

#[derive(TemplateOnce)]
#[template(path = "accounts.stpl")]
struct SailfishAccounts<'a> {
    accounts: &'a [Account],
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AskamaAccounts<'a> {
    accounts: &'a [Account],
}

fn accounts(c: &mut Criterion) {
    let mut numbers = Numbers(0x5EED);
    let accounts: Vec<Account> = (0..500)
        .map(|_| Account {
            id: numbers.of_any_size(19),
            visits: numbers.of_any_size(9) as u32,
            balance: numbers.of_any_size(15) as i64 - 500_000_000_000_000,
            change: numbers.of_any_size(6) as i32 - 500_000,
        })
        .collect();
    let accounts = &accounts;
    compare(
        c,
        "accounts",
        || rsp_string(rsp_accounts(accounts)),
        || SailfishAccounts { accounts }.render_once().unwrap(),
        || AskamaAccounts { accounts }.render().unwrap(),
    );
}

// ---------------------------------------------------------------------------------------
// readings: 500 rows of floats: prices, ratios of many digits, signed temperatures.

struct Reading {
    price: f64,
    ratio: f64,
    temperature: f32,
}

fn rsp_readings(readings: &[Reading]) -> impl Render + '_ {
    html!(
        r#"<table>
  <% for reading in readings { %>
  <tr>
    <td><%= reading.price %></td>
    <td><%= reading.ratio %></td>
    <td><%= reading.temperature %></td>
  </tr>
  <% } %>
</table>
"#
    )
}

#[derive(TemplateOnce)]
#[template(path = "readings.stpl")]
struct SailfishReadings<'a> {
    readings: &'a [Reading],
}

#[derive(Template)]
#[template(path = "readings.html")]
struct AskamaReadings<'a> {
    readings: &'a [Reading],
}

fn readings(c: &mut Criterion) {
    let mut numbers = Numbers(0xF10A7);
    // Whole numbers are left out: sailfish writes 3.0 where Rust's `{}` writes 3.
    let readings: Vec<Reading> = (0..500)
        .map(|_| Reading {
            price: numbers.of_any_size(7) as f64 / 100.0 + 0.005,
            ratio: numbers.next() as f64 / u64::MAX as f64 + 1e-9,
            temperature: (numbers.below(900) as f32 - 400.0) / 10.0 + 0.05,
        })
        .collect();
    let readings = &readings;
    compare(
        c,
        "readings",
        || rsp_string(rsp_readings(readings)),
        || SailfishReadings { readings }.render_once().unwrap(),
        || AskamaReadings { readings }.render().unwrap(),
    );
}

// ---------------------------------------------------------------------------------------
// articles: long text with nothing to escape; comments: shorter text full of it.

struct Article {
    title: String,
    paragraphs: Vec<String>,
}

fn rsp_articles(articles: &[Article]) -> impl Render + '_ {
    html!(
        r#"<main>
  <% for article in articles { %>
  <article>
    <h2><%= article.title %></h2>
    <% for paragraph in &article.paragraphs { %>
    <p><%= paragraph %></p>
    <% } %>
  </article>
  <% } %>
</main>
"#
    )
}

#[derive(TemplateOnce)]
#[template(path = "articles.stpl")]
struct SailfishArticles<'a> {
    articles: &'a [Article],
}

#[derive(Template)]
#[template(path = "articles.html")]
struct AskamaArticles<'a> {
    articles: &'a [Article],
}

fn articles(c: &mut Criterion) {
    let mut numbers = Numbers(0xA271C1E);
    let articles: Vec<Article> = (0..10)
        .map(|_| Article {
            title: numbers.prose(40),
            paragraphs: (0..4).map(|_| numbers.prose(1200)).collect(),
        })
        .collect();
    let articles = &articles;
    compare(
        c,
        "articles",
        || rsp_string(rsp_articles(articles)),
        || SailfishArticles { articles }.render_once().unwrap(),
        || AskamaArticles { articles }.render().unwrap(),
    );
}

struct Comment {
    author: String,
    text: String,
}

fn rsp_comments(comments: &[Comment]) -> impl Render + '_ {
    html!(
        r#"<ol>
  <% for comment in comments { %>
  <li>
    <b><%= comment.author %></b>
    <blockquote><%= comment.text %></blockquote>
  </li>
  <% } %>
</ol>
"#
    )
}

#[derive(TemplateOnce)]
#[template(path = "comments.stpl")]
struct SailfishComments<'a> {
    comments: &'a [Comment],
}

#[derive(Template)]
#[template(path = "comments.html")]
struct AskamaComments<'a> {
    comments: &'a [Comment],
}

fn comments(c: &mut Criterion) {
    let mut numbers = Numbers(0xC0FFEE);
    // What people paste: markup, code, quotes and ampersands, every few words.
    const PASTED: [&str; 6] = [
        "<b>bold</b>",
        "a && b",
        "\"quoted\"",
        "it's",
        "x < y > z",
        "<script>alert('hi')</script>",
    ];
    let comments: Vec<Comment> = (0..100)
        .map(|i| Comment {
            author: format!("{} O'{}", numbers.word(5), numbers.word(6)),
            text: (0..12)
                .map(|_| {
                    let len = 1 + numbers.below(8);
                    let word = numbers.word(len);
                    let pasted = PASTED[numbers.below(PASTED.len() as u64) as usize];
                    format!("{word} {pasted}")
                })
                .collect::<Vec<_>>()
                .join(if i % 2 == 0 { " " } else { " & " }),
        })
        .collect();
    let comments = &comments;
    compare(
        c,
        "comments",
        || rsp_string(rsp_comments(comments)),
        || SailfishComments { comments }.render_once().unwrap(),
        || AskamaComments { comments }.render().unwrap(),
    );
}

// ---------------------------------------------------------------------------------------
// tags: many small values, a short word and a count each.

struct Tag {
    name: String,
    count: u32,
}

fn rsp_tags(tags: &[Tag]) -> impl Render + '_ {
    html!(
        r#"<ul class="tags">
  <% for tag in tags { %>
  <li><%= tag.name %> <small><%= tag.count %></small></li>
  <% } %>
</ul>
"#
    )
}

#[derive(TemplateOnce)]
#[template(path = "tags.stpl")]
struct SailfishTags<'a> {
    tags: &'a [Tag],
}

#[derive(Template)]
#[template(path = "tags.html")]
struct AskamaTags<'a> {
    tags: &'a [Tag],
}

fn tags(c: &mut Criterion) {
    let mut numbers = Numbers(0x7A65);
    let tags: Vec<Tag> = (0..1000)
        .map(|_| {
            let len = 3 + numbers.below(8);
            Tag {
                name: numbers.word(len),
                count: numbers.of_any_size(4) as u32,
            }
        })
        .collect();
    let tags = &tags;
    compare(
        c,
        "tags",
        || rsp_string(rsp_tags(tags)),
        || SailfishTags { tags }.render_once().unwrap(),
        || AskamaTags { tags }.render().unwrap(),
    );
}

// ---------------------------------------------------------------------------------------
// links: attributes and URLs, a user list with profile links, avatars and titles.

struct User {
    id: u32,
    handle: String,
    name: String,
    avatar: String,
    role: &'static str,
}

fn rsp_links(users: &[User]) -> impl Render + '_ {
    html!(
        r#"<ul class="users">
  <% for user in users { %>
  <li class="user <%= user.role %>">
    <a href="/users/<%= user.id %>/<%= user.handle %>?tab=posts&amp;sort=new" title="<%= user.name %>">
      <img src="<%= user.avatar %>" alt="<%= user.name %>" width="32" height="32">
      <%= user.name %>
    </a>
  </li>
  <% } %>
</ul>
"#
    )
}

#[derive(TemplateOnce)]
#[template(path = "links.stpl")]
struct SailfishLinks<'a> {
    users: &'a [User],
}

#[derive(Template)]
#[template(path = "links.html")]
struct AskamaLinks<'a> {
    users: &'a [User],
}

fn links(c: &mut Criterion) {
    let mut numbers = Numbers(0x11245);
    let users: Vec<User> = (0..300)
        .map(|i| {
            let len = 4 + numbers.below(8);
            let handle = numbers.word(len);
            User {
                id: numbers.of_any_size(7) as u32,
                avatar: format!("/avatars/{handle}.png"),
                name: format!("{} {}", numbers.word(6), numbers.word(7)),
                handle,
                role: ["member", "admin", "guest"][i % 3],
            }
        })
        .collect();
    let users = &users;
    compare(
        c,
        "links",
        || rsp_string(rsp_links(users)),
        || SailfishLinks { users }.render_once().unwrap(),
        || AskamaLinks { users }.render().unwrap(),
    );
}

criterion_group!(benches, big_table, teams, accounts, readings, articles, comments, tags, links);
criterion_main!(benches);
