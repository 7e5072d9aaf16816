using System.Security.Cryptography;
using System.Text.Json;

namespace Connect.Cli.Tests;

/// <summary><c>app update</c>: what an application's sign-in page shows and allows, through the real command line.</summary>
public sealed class AppUpdateCommandTests(CliDatabase db) : IClassFixture<CliDatabase>
{
    private static readonly (string, JsonValueKind)[] Settings =
        [("anchor", JsonValueKind.String), ("name", JsonValueKind.String), ("signUp", JsonValueKind.String), ("callbackHosts", JsonValueKind.Array)];

    [Fact]
    public async Task Update_without_changes_prints_the_defaults_and_audits_nothing()
    {
        var anchor = await RegisterAsync();

        var run = await db.RunAsync("app", "update", "--anchor", anchor);

        Assert.Equal(Printed(anchor, anchor, "open"), Printed(run.AssertJson(Settings)));
        Assert.DoesNotContain("application_updated", await AuditAsync(anchor));
    }

    [Fact]
    public async Task Name_sign_up_and_hosts_are_set_normalized_and_audited()
    {
        var anchor = await RegisterAsync();

        var run = await db.RunAsync(
            "app", "update", "--anchor", anchor, "--name", "Shöp Example", "--sign-up", "closed",
            "--callback-host", "Shop.Example", "--callback-host", "127.0.0.1", "--callback-host", "[::1]", "--callback-host", "shop.example");

        Assert.Equal(
            Printed(anchor, "Shöp Example", "closed", "shop.example", "127.0.0.1", "::1"),
            Printed(run.AssertJson(Settings)));
        Assert.Equal("application_updated", (await AuditAsync(anchor))[0]);
        var stored = await db.RunAsync("app", "update", "--anchor", anchor);
        Assert.Equal(run.Stdout, stored.Stdout);
    }

    [Fact]
    public async Task Callback_hosts_are_replaced_by_a_new_list_and_cleared_by_no_callback_hosts()
    {
        var anchor = await RegisterAsync();
        (await db.RunAsync("app", "update", "--anchor", anchor, "--callback-host", "a.example", "--callback-host", "b.example")).AssertJson(Settings);

        var replaced = await db.RunAsync("app", "update", "--anchor", anchor, "--callback-host", "c.example");
        var kept = await db.RunAsync("app", "update", "--anchor", anchor, "--sign-up", "open");
        var cleared = await db.RunAsync("app", "update", "--anchor", anchor, "--no-callback-hosts");

        Assert.Equal(Printed(anchor, anchor, "open", "c.example"), Printed(replaced.AssertJson(Settings)));
        Assert.Equal(Printed(anchor, anchor, "open", "c.example"), Printed(kept.AssertJson(Settings)));
        Assert.Equal(Printed(anchor, anchor, "open"), Printed(cleared.AssertJson(Settings)));
    }

    [Fact]
    public async Task Callback_host_and_no_callback_hosts_together_are_a_command_line_error()
    {
        var anchor = await RegisterAsync();

        var run = await db.RunAsync("app", "update", "--anchor", anchor, "--callback-host", "a.example", "--no-callback-hosts");

        run.AssertFailed("--callback-host and --no-callback-hosts cannot be used together", exitCode: 2);
        Assert.DoesNotContain("application_updated", await AuditAsync(anchor));
    }

    [Fact]
    public async Task Sign_up_other_than_open_or_closed_is_a_command_line_error()
    {
        var run = await db.RunAsync("app", "update", "--anchor", CliDatabase.NewAnchor(), "--sign-up", "maybe");

        run.AssertFailed("maybe", exitCode: 2);
    }

    [Theory]
    [InlineData("https://shop.example", "without a scheme")]
    [InlineData("shop.example:8443", "without a port")]
    [InlineData("shop.example/cb", "without a path")]
    [InlineData("me@shop.example", "without user information")]
    [InlineData("shop_example", "not a valid DNS name")]
    public async Task Host_that_is_more_or_less_than_a_host_is_refused_and_nothing_changes(string host, string message)
    {
        var anchor = await RegisterAsync();

        var run = await db.RunAsync("app", "update", "--anchor", anchor, "--name", "Changed", "--callback-host", host);

        run.AssertFailed(message);
        Assert.Equal(Printed(anchor, anchor, "open"), Printed((await db.RunAsync("app", "update", "--anchor", anchor)).AssertJson(Settings)));
    }

    [Fact]
    public async Task Thirty_three_hosts_are_refused_and_thirty_two_accepted()
    {
        var anchor = await RegisterAsync();
        var hosts = Enumerable.Range(0, 33).SelectMany(i => new[] { "--callback-host", $"h{i}.example" }).ToArray();

        var tooMany = await db.RunAsync(["app", "update", "--anchor", anchor, .. hosts]);
        var most = await db.RunAsync(["app", "update", "--anchor", anchor, .. hosts[..64]]);

        tooMany.AssertFailed("at most 32 callback hosts are allowed");
        Assert.Equal(32, most.AssertJson(Settings).GetProperty("callbackHosts").GetArrayLength());
    }

    [Theory]
    [InlineData("", "the name must not be empty")]
    [InlineData("Tab\tinside", "the name must not contain control characters")]
    [InlineData(" padded", "the name must not begin or end with whitespace")]
    public async Task Bad_name_is_refused(string name, string message)
    {
        var run = await db.RunAsync("app", "update", "--anchor", await RegisterAsync(), "--name", name);

        run.AssertFailed(message);
    }

    [Fact]
    public async Task Unknown_anchor_is_refused()
    {
        var anchor = CliDatabase.NewAnchor();

        var run = await db.RunAsync("app", "update", "--anchor", anchor, "--name", "Nobody");

        run.AssertFailed($"no application has the anchor '{anchor}'");
    }

    private static string Printed(string anchor, string name, string signUp, params string[] hosts) =>
        JsonSerializer.Serialize(new { anchor, name, signUp, callbackHosts = hosts });

    private static string Printed(JsonElement json) => json.GetRawText();

    private async Task<string> RegisterAsync()
    {
        var anchor = CliDatabase.NewAnchor();
        using var key = RSA.Create(2048);
        (await db.RunAsync("app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(key)))
            .AssertJson(("anchor", JsonValueKind.String), ("sectorId", JsonValueKind.String), ("keyId", JsonValueKind.String));
        return anchor;
    }

    private async Task<List<string>> AuditAsync(string anchor) =>
        [.. (await db.RunAsync("audit", "list", "--anchor", anchor)).AssertJson(("events", JsonValueKind.Array))
            .GetProperty("events").EnumerateArray().Select(audited => audited.GetProperty("kind").GetString()!)];
}
