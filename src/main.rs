fn main() {
    std::process::exit(statuspost::run());
}
