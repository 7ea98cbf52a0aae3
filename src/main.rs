// A build allocates millions of short-lived strings and template values on
// every core; glibc's allocator spent a quarter of a build's instructions on
// them, and contends between threads. mimalloc is several times cheaper here.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(statuspost::run());
}
