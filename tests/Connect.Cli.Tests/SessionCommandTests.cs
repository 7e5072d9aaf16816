using System.Security.Cryptography;
using System.Text.Json;

namespace Connect.Cli.Tests;

public sealed class SessionCommandTests(CliDatabase db) : IClassFixture<CliDatabase>
{
    private static readonly (string, JsonValueKind)[] Counts =
        [("active", JsonValueKind.Number), ("revoked", JsonValueKind.Number), ("expired", JsonValueKind.Number)];

    private static readonly (string, JsonValueKind)[] Issued = [("issued", JsonValueKind.Number), ("sessions", JsonValueKind.Array)];

    [Fact]
    public async Task Session_issue_defaults_to_one_active_session()
    {
        var (account, anchor) = await AccountWithApplicationAsync();

        var run = await db.RunAsync("session", "issue", "--account", account, "--anchor", anchor);

        Assert.Equal(1, run.AssertJson(Issued).GetProperty("issued").GetInt32());
        Assert.Equal((1, 0, 0), await CountAsync(account, anchor));
    }

    [Fact]
    public async Task Session_issue_prints_each_session_with_its_first_token_pair()
    {
        var (account, anchor) = await AccountWithApplicationAsync();

        var run = await db.RunAsync("session", "issue", "--account", account, "--anchor", anchor, "--count", "2", "--expires-in", "7200");

        var sessions = run.AssertJson(Issued).GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(2, sessions.Count);
        Assert.NotEqual(sessions[0].GetProperty("sessionId").GetString(), sessions[1].GetProperty("sessionId").GetString());
        foreach (var session in sessions)
        {
            Assert.Equal(["sessionId", "accessToken", "refreshToken"], session.EnumerateObject().Select(member => member.Name));
            var sessionId = session.GetProperty("sessionId").GetString();
            using var access = Connect.Testing.SessionTokens.JwksCheck.Payload(session.GetProperty("accessToken").GetString()!);
            using var refresh = Connect.Testing.SessionTokens.JwksCheck.Payload(session.GetProperty("refreshToken").GetString()!);
            Assert.Equal(["iss", "aud", "sub", "sid", "jti", "iat", "exp"], access.RootElement.EnumerateObject().Select(member => member.Name));
            Assert.Equal(["iss", "aud", "sid", "jti", "iat", "exp", "rotationVersion"], refresh.RootElement.EnumerateObject().Select(member => member.Name));
            Assert.Equal((anchor, sessionId), (access.RootElement.GetProperty("aud").GetString(), access.RootElement.GetProperty("sid").GetString()));
            Assert.Equal((anchor, sessionId), (refresh.RootElement.GetProperty("aud").GetString(), refresh.RootElement.GetProperty("sid").GetString()));
            Assert.Equal(1, refresh.RootElement.GetProperty("rotationVersion").GetInt32());
            Assert.Equal(7200, refresh.RootElement.GetProperty("exp").GetInt64() - refresh.RootElement.GetProperty("iat").GetInt64());
            Assert.Equal(900, access.RootElement.GetProperty("exp").GetInt64() - access.RootElement.GetProperty("iat").GetInt64());
        }

        // The sub is the account's subject in the application's sector, the one /revoke-all takes.
        var subject = (await db.RunAsync("subject", "issue", "--account", account, "--anchor", anchor))
            .AssertJson(("subject", JsonValueKind.String)).GetProperty("subject").GetString();
        using var first = Connect.Testing.SessionTokens.JwksCheck.Payload(sessions[0].GetProperty("accessToken").GetString()!);
        Assert.Equal(subject, first.RootElement.GetProperty("sub").GetString());
        Assert.Equal((2, 0, 0), await CountAsync(account, anchor));
    }

    [Fact]
    public async Task Session_count_reports_active_revoked_and_expired_sessions()
    {
        var (account, anchor) = await AccountWithApplicationAsync();
        var (other, _) = await AccountWithApplicationAsync();
        await IssueAsync(account, anchor, "--count", "3");
        await IssueAsync(account, anchor, "--count", "2", "--expires-in", "1");
        await IssueAsync(other, anchor, "--count", "5");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await db.RevokeAllAsync(account, anchor);
        await IssueAsync(account, anchor, "--count", "4", "--expires-in", "3600");

        var run = await db.RunAsync("session", "count", "--account", account, "--anchor", anchor);

        var json = run.AssertJson(Counts);
        Assert.Equal(
            (4, 3, 2),
            (json.GetProperty("active").GetInt32(), json.GetProperty("revoked").GetInt32(), json.GetProperty("expired").GetInt32()));
    }

    [Fact]
    public async Task Sessions_are_counted_per_application()
    {
        var (account, anchor) = await AccountWithApplicationAsync();
        var (_, otherAnchor) = await AccountWithApplicationAsync();
        await IssueAsync(account, anchor, "--count", "2");

        var elsewhere = await CountAsync(account, otherAnchor);

        Assert.Equal((0, 0, 0), elsewhere);
    }

    [Fact]
    public async Task Session_issue_at_the_cap_of_1000_issues_them_all()
    {
        var (account, anchor) = await AccountWithApplicationAsync();

        var run = await db.RunAsync("session", "issue", "--account", account, "--anchor", anchor, "--count", "1000");

        var json = run.AssertJson(Issued);
        Assert.Equal(1_000, json.GetProperty("issued").GetInt32());
        Assert.Equal(1_000, json.GetProperty("sessions").GetArrayLength());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1001")]
    [InlineData("99999999999")]
    public async Task Session_issue_with_a_count_outside_1_to_1000_is_refused(string count)
    {
        var (account, anchor) = await AccountWithApplicationAsync();

        var run = await db.RunAsync("session", "issue", "--account", account, "--anchor", anchor, "--count", count);

        run.AssertFailed("the count must be between 1 and 1000");
        Assert.Equal((0, 0, 0), await CountAsync(account, anchor));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("31536001")]
    [InlineData("99999999999")]
    public async Task Session_issue_with_an_expiry_outside_1_second_to_365_days_is_refused(string expiresIn)
    {
        var (account, anchor) = await AccountWithApplicationAsync();

        var run = await db.RunAsync("session", "issue", "--account", account, "--anchor", anchor, "--expires-in", expiresIn);

        run.AssertFailed("the expiry must be between 1 and 31536000 seconds (365 days)");
    }

    [Theory]
    [InlineData("--count", "three")]
    [InlineData("--count", "1.5")]
    [InlineData("--expires-in", "1h")]
    public async Task Session_issue_with_a_number_that_is_no_whole_number_is_refused(string option, string value)
    {
        var run = await db.RunAsync("session", "issue", "--account", Guid.NewGuid().ToString(), "--anchor", "a", option, value);

        run.AssertFailed($"{option} must be a whole number, not '{value}'", exitCode: 2);
    }

    [Theory]
    [InlineData("issue")]
    [InlineData("count")]
    public async Task Sessions_of_an_unknown_account_or_anchor_are_refused(string verb)
    {
        var (account, anchor) = await AccountWithApplicationAsync();
        var nobody = Guid.NewGuid().ToString();
        var stranger = CliDatabase.NewAnchor();

        var unknownAccount = await db.RunAsync("session", verb, "--account", nobody, "--anchor", anchor);
        var unknownAnchor = await db.RunAsync("session", verb, "--account", account, "--anchor", stranger);

        unknownAccount.AssertFailed($"no account has the id {nobody}");
        unknownAnchor.AssertFailed($"no application has the anchor '{stranger}'");
    }

    private async Task<(string Account, string Anchor)> AccountWithApplicationAsync()
    {
        var anchor = CliDatabase.NewAnchor();
        using var key = RSA.Create(2048);
        (await db.RunAsync("app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(key)))
            .AssertJson(("anchor", JsonValueKind.String), ("sectorId", JsonValueKind.String), ("keyId", JsonValueKind.String));
        var account = (await db.RunAsync("account", "create"))
            .AssertJson(("accountId", JsonValueKind.String)).GetProperty("accountId").GetString()!;
        return (account, anchor);
    }

    private async Task IssueAsync(string account, string anchor, params string[] options) =>
        (await db.RunAsync(["session", "issue", "--account", account, "--anchor", anchor, .. options]))
            .AssertJson(Issued);

    private async Task<(int Active, int Revoked, int Expired)> CountAsync(string account, string anchor)
    {
        var json = (await db.RunAsync("session", "count", "--account", account, "--anchor", anchor)).AssertJson(Counts);
        return (json.GetProperty("active").GetInt32(), json.GetProperty("revoked").GetInt32(), json.GetProperty("expired").GetInt32());
    }
}
