//! The fortunes page of the serving benchmark (`tests/measure/serving.sh`), as TechEmpower
//! defines it: twelve stored fortunes and one added at request time, sorted by message, in
//! an escaped HTML table. Every server of the benchmark renders these.

/// One fortune.
#[derive(Clone)]
pub struct Fortune {
    pub id: u32,
    pub message: String,
}

/// The stored fortunes: what a database would hold.
pub fn stored() -> Vec<Fortune> {
    [
        "fortune: No such file or directory",
        "A computer scientist is someone who fixes things that aren't broken.",
        "After enough decimal places, nobody gives a damn.",
        "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
        "A computer program does what you tell it to do, not what you want it to do.",
        "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
        "Any program that runs right is obsolete.",
        "A list is only as strong as its weakest link. — Donald Knuth",
        "Feature: A bug with seniority.",
        "Computers make very fast, very accurate mistakes.",
        "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
        "フレームワークのベンチマーク",
    ]
    .into_iter()
    .enumerate()
    .map(|(i, message)| Fortune {
        id: i as u32 + 1,
        message: message.to_owned(),
    })
    .collect()
}

/// What a request renders: the stored fortunes, one more, sorted by message.
pub fn for_request(stored: &[Fortune]) -> Vec<Fortune> {
    let mut fortunes = stored.to_vec();
    fortunes.push(Fortune {
        id: 0,
        message: "Additional fortune added at request time.".to_owned(),
    });
    fortunes.sort_by(|a, b| a.message.cmp(&b.message));
    fortunes
}

/// The static page: 100 bytes of HTML.
pub const STATIC_PAGE: &str = "<!doctype html><title>Static</title><p>A page with nothing to compute, it is one hundred bytes.</p>\n";

/// The address a benchmark server listens on: `--addr ADDR`, else `127.0.0.1:8080`.
pub fn addr() -> String {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--addr" {
            if let Some(addr) = args.next() {
                return addr;
            }
        }
    }
    "127.0.0.1:8080".to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_static_page_is_a_hundred_bytes() {
        assert_eq!(super::STATIC_PAGE.len(), 100);
    }
}
