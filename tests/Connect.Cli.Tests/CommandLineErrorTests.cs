namespace Connect.Cli.Tests;

/// <summary>A wrong command line is one line on stderr and exit 2, never the help text or a stack trace.</summary>
public sealed class CommandLineErrorTests(CliDatabase db) : IClassFixture<CliDatabase>
{
    [Theory]
    [InlineData("unrecognized command or argument 'bogus'", "bogus")]
    [InlineData("unrecognized command or argument 'frobnicate'", "app", "frobnicate")]
    [InlineData("unrecognized command or argument '--colour'", "account", "create", "--colour", "red")]
    [InlineData("Required command was not provided", "app")]
    [InlineData("Required command was not provided", "app", "key")]
    [InlineData("Option '--anchor' is required", "app", "disable")]
    [InlineData("Option '--public-key' is required", "app", "register", "--anchor", "a")]
    [InlineData("Option '--account' is required", "session", "count", "--anchor", "a")]
    [InlineData("Option '--key-id' is required", "app", "key", "retire", "--anchor", "a")]
    [InlineData("Required argument missing for option: '--count'", "session", "issue", "--account", "0190d3c8-5f7e-7a21-9c3b-2d4e6f8a0b1c", "--anchor", "a", "--count")]
    public async Task Wrong_command_line_is_one_line_on_stderr_and_exit_2(string message, params string[] args)
    {
        var run = await db.RunAsync(args);

        run.AssertFailed(message, exitCode: 2);
    }

    [Theory]
    [InlineData("--account", "not-a-guid")]
    [InlineData("--account", "")]
    [InlineData("--account", "0190d3c8-5f7e-7a21-9c3b")]
    public async Task Malformed_account_id_is_refused_before_any_database_work(string option, string value)
    {
        var run = await db.RunAsync("subject", "issue", option, value, "--anchor", "a");

        run.AssertFailed($"--account must be an id such as 0190d3c8-5f7e-7a21-9c3b-2d4e6f8a0b1c, not '{value}'", exitCode: 2);
    }

    [Fact]
    public async Task Malformed_sector_id_is_refused()
    {
        var run = await db.RunAsync("app", "register", "--anchor", "a", "--public-key", "k.pem", "--sector", "nope");

        run.AssertFailed("--sector must be an id such as", exitCode: 2);
    }

    [Fact]
    public async Task Argument_starting_with_at_is_a_value_not_a_response_file()
    {
        var path = db.WriteFile("--anchor\nsomething-else\n");

        var run = await db.RunAsync("app", "disable", "--anchor", "@" + path);

        run.AssertFailed("no application has the anchor '@");
    }

    [Fact]
    public async Task Help_goes_to_stdout_and_exits_0()
    {
        var run = await db.RunAsync("app", "register", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--public-key", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
    }
}
