//! Rendering speed of rsp's `html!` against sailfish and askama, on the two workloads of
//! template-benchmarks-rs (big-table and teams). Each workload is one criterion group, so
//! the engines are measured in the same run and their ratios can be compared.
//!
//! All three templates have the same layout; sailfish and askama read theirs from
//! `templates/`. Before measuring, each workload checks that the three outputs are equal
//! once whitespace is removed, so every engine does the same work.
//!
//! Run: `cargo bench -p rsp-tests --bench render`.

use askama::Template;
use criterion::{criterion_group, criterion_main, Criterion};
use rsp::prelude::*;
use sailfish::TemplateOnce;

/// The side of the big table, as in template-benchmarks-rs.
const TABLE_SIZE: usize = 100;

/// The text with all ASCII whitespace removed.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_ascii_whitespace()).collect()
}

/// Renders an rsp page into a fresh buffer, as a handler would.
fn rsp_string(page: impl Render) -> String {
    let mut out = String::new();
    page.render(&mut out);
    out
}

/// Panics unless the outputs of all engines are equal modulo whitespace.
fn assert_same_output(workload: &str, rsp: &str, sailfish: &str, askama: &str) {
    let rsp = squeeze(rsp);
    assert_eq!(
        rsp,
        squeeze(sailfish),
        "{workload}: rsp and sailfish differ"
    );
    assert_eq!(rsp, squeeze(askama), "{workload}: rsp and askama differ");
}

// ---------------------------------------------------------------------------------------
// big-table: TABLE_SIZE rows of the integers 0..TABLE_SIZE.

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

fn big_table(c: &mut Criterion) {
    let table: Vec<Vec<usize>> = (0..TABLE_SIZE).map(|_| (0..TABLE_SIZE).collect()).collect();
    let askama = AskamaBigTable { table: &table };

    assert_same_output(
        "big-table",
        &rsp_string(rsp_big_table(&table)),
        &SailfishBigTable { table: &table }.render_once().unwrap(),
        &askama.render().unwrap(),
    );

    let mut group = c.benchmark_group("big-table");
    group.bench_function("rsp", |b| b.iter(|| rsp_string(rsp_big_table(&table))));
    group.bench_function("sailfish", |b| {
        b.iter(|| SailfishBigTable { table: &table }.render_once().unwrap())
    });
    group.bench_function("askama", |b| b.iter(|| askama.render().unwrap()));
    group.finish();
}

// ---------------------------------------------------------------------------------------
// teams: four teams, the first one marked as champion.

struct Team {
    name: String,
    score: u8,
}

fn teams_data() -> Vec<Team> {
    [
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
    .collect()
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
    let teams = teams_data();
    let askama = AskamaTeams {
        year,
        teams: &teams,
    };

    assert_same_output(
        "teams",
        &rsp_string(rsp_teams(year, &teams)),
        &SailfishTeams {
            year,
            teams: &teams,
        }
        .render_once()
        .unwrap(),
        &askama.render().unwrap(),
    );

    let mut group = c.benchmark_group("teams");
    group.bench_function("rsp", |b| b.iter(|| rsp_string(rsp_teams(year, &teams))));
    group.bench_function("sailfish", |b| {
        b.iter(|| {
            SailfishTeams {
                year,
                teams: &teams,
            }
            .render_once()
            .unwrap()
        })
    });
    group.bench_function("askama", |b| b.iter(|| askama.render().unwrap()));
    group.finish();
}

criterion_group!(benches, big_table, teams);
criterion_main!(benches);
