using System.Security.Cryptography;
using System.Text.Json;
using Connect.Application.Passkeys;
using Connect.Testing.Seeding;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Cli.Tests;

public sealed class PasskeyCommandTests(CliDatabase db) : IClassFixture<CliDatabase>
{
    [Fact]
    public async Task Passkey_link_prints_a_one_time_enrollment_url_that_lives_24_hours_by_default()
    {
        var account = await CreateAccountAsync();
        var before = DateTimeOffset.UtcNow;

        var run = await db.RunAsync("account", "passkey-link", "--account", account);

        var json = run.AssertJson(("accountId", JsonValueKind.String), ("url", JsonValueKind.String), ("expiresAt", JsonValueKind.String));
        Assert.Equal(account, json.GetProperty("accountId").GetString());
        var url = new Uri(json.GetProperty("url").GetString()!);
        Assert.Equal("/sign-in/enroll", url.AbsolutePath);
        var token = url.Query["?token=".Length..];
        // 256 random bits, base64url: the link is the credential, so it must be unguessable.
        Assert.Equal(43, token.Length);
        var expiresAt = json.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt, before.AddHours(24), DateTimeOffset.UtcNow.AddHours(24));
    }

    [Fact]
    public async Task Passkey_link_keeps_only_the_hash_of_its_token()
    {
        var account = await CreateAccountAsync();

        var run = await db.RunAsync("account", "passkey-link", "--account", account, "--expires-in", "600");

        var token = new Uri(run.AssertJson(("accountId", JsonValueKind.String), ("url", JsonValueKind.String), ("expiresAt", JsonValueKind.String))
            .GetProperty("url").GetString()!).Query["?token=".Length..];
        await using var seeded = ConnectTestDatabase.For(db.ConnectionString);
        var link = await seeded.Services.GetRequiredService<IEnrollmentLinks>()
            .FindUsableAsync(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)), CancellationToken.None);
        Assert.NotNull(link);
        Assert.Equal(Guid.Parse(account), link.Account.Value);
    }

    [Fact]
    public async Task Passkey_link_for_an_unknown_account_or_out_of_range_lifetime_is_refused()
    {
        var account = await CreateAccountAsync();
        var nobody = Guid.NewGuid().ToString();

        var unknown = await db.RunAsync("account", "passkey-link", "--account", nobody);
        var tooShort = await db.RunAsync("account", "passkey-link", "--account", account, "--expires-in", "10");
        var tooLong = await db.RunAsync("account", "passkey-link", "--account", account, "--expires-in", "2592001");

        unknown.AssertFailed($"no account has the id {nobody}");
        tooShort.AssertFailed("--expires-in must be 60 to 2592000 seconds");
        tooLong.AssertFailed("--expires-in must be 60 to 2592000 seconds");
    }

    [Fact]
    public async Task Passkeys_lists_an_accounts_passkeys_and_never_their_keys()
    {
        await using var seeded = ConnectTestDatabase.For(db.ConnectionString);
        var store = seeded.Services.GetRequiredService<IPasskeyStore>();
        var created = await store.CreateAccountWithPasskeyAsync(
            new NewPasskey(RandomNumberGenerator.GetBytes(32), [0xA5, 0x01, 0x02], 0, RandomNumberGenerator.GetBytes(32)), CancellationToken.None);
        var empty = await CreateAccountAsync();

        var run = await db.RunAsync("account", "passkeys", "--account", created!.Value.Value.ToString());
        var none = await db.RunAsync("account", "passkeys", "--account", empty);

        var json = run.AssertJson(("accountId", JsonValueKind.String), ("passkeys", JsonValueKind.Array));
        var passkey = Assert.Single(json.GetProperty("passkeys").EnumerateArray());
        Assert.Equal(["id", "createdAt", "lastUsedAt"], passkey.EnumerateObject().Select(property => property.Name));
        Assert.Equal(JsonValueKind.Null, passkey.GetProperty("lastUsedAt").ValueKind);
        Assert.Empty(none.AssertJson(("accountId", JsonValueKind.String), ("passkeys", JsonValueKind.Array)).GetProperty("passkeys").EnumerateArray());
    }

    [Fact]
    public async Task Passkeys_of_an_unknown_account_is_refused()
    {
        var nobody = Guid.NewGuid().ToString();

        var run = await db.RunAsync("account", "passkeys", "--account", nobody);

        run.AssertFailed($"no account has the id {nobody}");
    }

    private async Task<string> CreateAccountAsync() =>
        (await db.RunAsync("account", "create")).AssertJson(("accountId", JsonValueKind.String)).GetProperty("accountId").GetString()!;
}
