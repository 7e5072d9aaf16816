using System.Security.Cryptography;
using System.Text.Json;

namespace Connect.Cli.Tests;

public sealed class AccountCommandTests(CliDatabase db) : IClassFixture<CliDatabase>
{
    [Fact]
    public async Task Account_create_prints_a_new_account_id()
    {
        var first = await db.RunAsync("account", "create");
        var second = await db.RunAsync("account", "create");

        var one = first.AssertJson(("accountId", JsonValueKind.String)).GetProperty("accountId").GetGuid();
        var two = second.AssertJson(("accountId", JsonValueKind.String)).GetProperty("accountId").GetGuid();
        Assert.NotEqual(one, two);
    }

    [Fact]
    public async Task Subject_issue_is_the_same_on_every_call_and_reveals_nothing_of_the_account()
    {
        var anchor = await RegisterAsync();
        var account = await CreateAccountAsync();

        var first = await db.RunAsync("subject", "issue", "--account", account, "--anchor", anchor);
        var second = await db.RunAsync("subject", "issue", "--account", account, "--anchor", anchor);

        var subject = first.AssertJson(("subject", JsonValueKind.String)).GetProperty("subject").GetString()!;
        Assert.Equal(subject, second.AssertJson(("subject", JsonValueKind.String)).GetProperty("subject").GetString());
        // 256 random bits, base64url: unguessable, and not derived from the id.
        Assert.Equal(43, subject.Length);
        Assert.DoesNotContain(account.Replace("-", "", StringComparison.Ordinal), subject, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Subject_differs_across_sectors_and_is_shared_within_one()
    {
        var anchor = await RegisterAsync();
        var sector = (await db.FindApplicationAsync(anchor))!.Sector.Value.ToString();
        var sibling = await RegisterAsync("--sector", sector);
        var stranger = await RegisterAsync();
        var account = await CreateAccountAsync();

        var own = await IssueSubjectAsync(account, anchor);
        var sameSector = await IssueSubjectAsync(account, sibling);
        var otherSector = await IssueSubjectAsync(account, stranger);

        Assert.Equal(own, sameSector);
        Assert.NotEqual(own, otherSector);
    }

    [Fact]
    public async Task Subject_issue_for_an_unknown_account_or_anchor_is_refused()
    {
        var anchor = await RegisterAsync();
        var account = await CreateAccountAsync();
        var nobody = Guid.NewGuid().ToString();
        var stranger = CliDatabase.NewAnchor();

        var unknownAccount = await db.RunAsync("subject", "issue", "--account", nobody, "--anchor", anchor);
        var unknownAnchor = await db.RunAsync("subject", "issue", "--account", account, "--anchor", stranger);

        unknownAccount.AssertFailed($"no account has the id {nobody}");
        unknownAnchor.AssertFailed($"no application has the anchor '{stranger}'");
    }

    [Fact]
    public async Task Subject_issue_with_a_malformed_anchor_is_refused()
    {
        var account = await CreateAccountAsync();

        var run = await db.RunAsync("subject", "issue", "--account", account, "--anchor", new string('a', 256));

        run.AssertFailed("the anchor must be at most 255 characters");
    }

    private async Task<string> RegisterAsync(params string[] extra)
    {
        var anchor = CliDatabase.NewAnchor();
        using var key = RSA.Create(2048);
        (await db.RunAsync(["app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(key), .. extra]))
            .AssertJson(("anchor", JsonValueKind.String), ("sectorId", JsonValueKind.String), ("keyId", JsonValueKind.String));
        return anchor;
    }

    private async Task<string> CreateAccountAsync() =>
        (await db.RunAsync("account", "create")).AssertJson(("accountId", JsonValueKind.String)).GetProperty("accountId").GetString()!;

    private async Task<string> IssueSubjectAsync(string account, string anchor) =>
        (await db.RunAsync("subject", "issue", "--account", account, "--anchor", anchor))
            .AssertJson(("subject", JsonValueKind.String)).GetProperty("subject").GetString()!;
}
