//! Shell completions and man pages, generated from the command-line definition
//! (`shale completions <shell>`, `shale man`) with clap_complete and clap_mangen, so they
//! never drift from the flags.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The shells completions are written for.
pub use clap_complete::Shell;

/// Write `shell`'s completion script for `cmd` to `out`.
pub fn completions(cmd: &mut clap::Command, shell: Shell, out: &mut dyn Write) {
    let name = cmd.get_name().to_string();
    clap_complete::generate(shell, cmd, name, out);
}

/// Write the roff man page of `cmd` (`shale(1)`, listing the subcommands) to `out`.
pub fn man(cmd: &clap::Command, out: &mut dyn Write) -> std::io::Result<()> {
    clap_mangen::Man::new(cmd.clone()).render(out)
}

/// Write `shale.1` and one page per subcommand (`shale-plan.1`, …) into `dir`; the
/// paths written.
pub fn man_pages(cmd: &clap::Command, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = cmd.clone();
    cmd.build();
    let mut written = Vec::new();
    let mut write = |name: String, c: clap::Command| -> std::io::Result<()> {
        let path = dir.join(format!("{name}.1"));
        let mut f = std::fs::File::create(&path)?;
        clap_mangen::Man::new(c).render(&mut f)?;
        written.push(path);
        Ok(())
    };
    write(cmd.get_name().to_string(), cmd.clone())?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("{}-{}", cmd.get_name(), sub.get_name());
        let page = sub
            .clone()
            .display_name(name.clone())
            .bin_name(name.replace('-', " "));
        write(name, page)?;
    }
    Ok(written)
}
