"""Use-cases: the one place web, API, CLI and jobs call into."""
