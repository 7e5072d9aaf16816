namespace Connect.Infrastructure.Processes;

/// <summary>
/// The one privilege drop: a root process runs a program as another user through <c>setpriv</c>, which replaces
/// itself with the program (the id we hold is the program's), with that user's supplementary groups and its
/// <c>HOME</c>, <c>USER</c> and <c>LOGNAME</c>. PostgreSQL refuses to run as root, so its tools run as
/// <see cref="Postgres"/>. A process that is not root runs everything as itself.
/// </summary>
/// <param name="Name">The user.</param>
/// <param name="Group">Its primary group; by default the group of the user's name.</param>
/// <param name="Home">Its HOME, where programs look for their dotfiles.</param>
public sealed record ProgramUser(string Name, string? Group = null, string Home = "/")
{
    /// <summary>The account that owns and runs PostgreSQL (Debian's package makes it, with this home).</summary>
    public static ProgramUser Postgres { get; } = new("postgres", Home: "/var/lib/postgresql");

    /// <summary>Whether this process drops privileges at all (only root can, and only root must).</summary>
    public static bool Drops => System.Environment.IsPrivilegedProcess;

    internal IEnumerable<string> SetprivArguments() =>
        ["setpriv", $"--reuid={Name}", $"--regid={Group ?? Name}", "--init-groups"];

    internal IEnumerable<KeyValuePair<string, string>> Environment =>
    [
        new("HOME", Home),
        new("USER", Name),
        new("LOGNAME", Name),
    ];
}
