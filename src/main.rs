fn main() {
    std::process::exit(outpost::cli::run());
}
