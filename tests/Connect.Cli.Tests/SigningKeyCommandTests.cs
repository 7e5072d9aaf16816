using System.Security.Cryptography;
using System.Text.Json;
using Connect.Application.SigningKeys;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Cli.Tests;

/// <summary><c>app signing-key list | rotate | remove</c> as docs/contract/cli.md writes them, and the start check of <c>up</c>.</summary>
public sealed class SigningKeyCommandTests(CliDatabase db) : IClassFixture<CliDatabase>, IDisposable
{
    private static readonly (string, JsonValueKind)[] Listed = [("anchor", JsonValueKind.String), ("keys", JsonValueKind.Array)];

    private readonly RSA _key = RSA.Create(2048);

    [Fact]
    public async Task Register_creates_one_current_key_that_list_shows_without_key_material()
    {
        var anchor = await RegisterAsync();

        var run = await db.RunAsync("app", "signing-key", "list", "--anchor", anchor);

        var json = run.AssertJson(Listed);
        Assert.Equal(anchor, json.GetProperty("anchor").GetString());
        var key = Assert.Single(json.GetProperty("keys").EnumerateArray());
        Assert.Equal(["keyId", "state", "createdAt"], key.EnumerateObject().Select(member => member.Name));
        Assert.Equal("current", key.GetProperty("state").GetString());
        Assert.True(key.GetProperty("createdAt").TryGetDateTime(out _));
        await AssertNoKeyMaterialAsync(anchor, run.Stdout);
    }

    [Fact]
    public async Task Rotate_adds_a_next_key_current_after_the_max_age()
    {
        var anchor = await RegisterAsync();
        var before = DateTime.UtcNow;

        var run = await db.RunAsync("app", "signing-key", "rotate", "--anchor", anchor);

        var json = run.AssertJson(
            ("anchor", JsonValueKind.String), ("keyId", JsonValueKind.String), ("state", JsonValueKind.String), ("currentFrom", JsonValueKind.String));
        Assert.Equal("next", json.GetProperty("state").GetString());
        var currentFrom = json.GetProperty("currentFrom").GetDateTime();
        Assert.InRange(currentFrom, before.AddSeconds(SigningKeyOptions.DefaultJwksMaxAgeSeconds - 1), DateTime.UtcNow.AddSeconds(SigningKeyOptions.DefaultJwksMaxAgeSeconds + 1));
        var listed = (await db.RunAsync("app", "signing-key", "list", "--anchor", anchor)).AssertJson(Listed).GetProperty("keys").EnumerateArray()
            .Select(key => (key.GetProperty("keyId").GetString(), key.GetProperty("state").GetString())).ToList();
        Assert.Equal(2, listed.Count);
        Assert.Equal((json.GetProperty("keyId").GetString(), "next"), listed[1]);
        Assert.Equal("current", listed[0].Item2);
    }

    [Fact]
    public async Task Remove_takes_the_key_out_at_once_and_a_second_remove_is_refused()
    {
        var anchor = await RegisterAsync();
        var next = (await db.RunAsync("app", "signing-key", "rotate", "--anchor", anchor)).AssertJson(
            ("anchor", JsonValueKind.String), ("keyId", JsonValueKind.String), ("state", JsonValueKind.String), ("currentFrom", JsonValueKind.String))
            .GetProperty("keyId").GetString()!;

        var run = await db.RunAsync("app", "signing-key", "remove", "--anchor", anchor, "--key-id", next);
        var again = await db.RunAsync("app", "signing-key", "remove", "--anchor", anchor, "--key-id", next);

        var json = run.AssertJson(("anchor", JsonValueKind.String), ("keyId", JsonValueKind.String), ("state", JsonValueKind.String));
        Assert.Equal((anchor, next, "removed"), (json.GetProperty("anchor").GetString(), json.GetProperty("keyId").GetString(), json.GetProperty("state").GetString()));
        again.AssertFailed($"the application '{anchor}' has no token-signing key '{next}' that is not already removed");
        var states = (await db.RunAsync("app", "signing-key", "list", "--anchor", anchor)).AssertJson(Listed).GetProperty("keys").EnumerateArray()
            .Select(key => key.GetProperty("state").GetString());
        Assert.Equal(["current", "removed"], states);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("rotate")]
    public async Task Unknown_anchor_is_one_plain_line(string verb)
    {
        var run = await db.RunAsync("app", "signing-key", verb, "--anchor", "no-such-app");

        run.AssertFailed("no application has the anchor 'no-such-app'");
    }

    [Fact]
    public async Task Commands_without_a_key_encryption_key_fail_with_one_line_and_register_nothing()
    {
        var anchor = CliDatabase.NewAnchor();
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Connect"] = db.ConnectionString };

        var run = await CliDatabase.RunWithAsync(settings, "app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(_key));

        run.AssertFailed("no key-encryption key is configured for the token-signing keys (set Connect:SigningKeys:KeyEncryptionKey)");
        Assert.Null(await db.FindApplicationAsync(anchor));
    }

    [Fact]
    public async Task Up_with_the_wrong_key_encryption_key_stops_with_one_line()
    {
        await RegisterAsync();
        var wrong = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Connect"] = db.ConnectionString,
            [CliDatabase.KeyEncryptionKeySetting] = SigningKeyEncryption.NewKeyEncryptionKey(),
            ["Urls"] = "http://127.0.0.1:0",
        };
        var missing = new Dictionary<string, string?> { ["ConnectionStrings:Connect"] = db.ConnectionString, ["Urls"] = "http://127.0.0.1:0" };

        var wrongRun = await CliDatabase.RunWithAsync(wrong, "up");
        var missingRun = await CliDatabase.RunWithAsync(missing, "up");

        wrongRun.AssertFailed(
            $"the token-signing keys in the database were sealed under the key-encryption key {SigningKeyEncryption.IdOf(db.KeyEncryptionKey)}, " +
            $"not the configured {SigningKeyEncryption.IdOf(wrong[CliDatabase.KeyEncryptionKeySetting]!)} (Connect:SigningKeys:KeyEncryptionKey)");
        missingRun.AssertFailed(
            "the database holds token-signing keys but no key-encryption key is configured (set Connect:SigningKeys:KeyEncryptionKey)");
        Assert.DoesNotContain(wrong[CliDatabase.KeyEncryptionKeySetting]!, wrongRun.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_under_another_key_encryption_key_refuse_before_sealing_anything_with_it()
    {
        await RegisterAsync();
        var wrong = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Connect"] = db.ConnectionString,
            [CliDatabase.KeyEncryptionKeySetting] = SigningKeyEncryption.NewKeyEncryptionKey(),
        };

        var register = await CliDatabase.RunWithAsync(wrong, "app", "register", "--anchor", CliDatabase.NewAnchor(), "--public-key", db.WritePublicKey(_key));
        var audit = await CliDatabase.RunWithAsync(wrong, "audit", "list");

        const string Refusal = "the token-signing keys in the database were sealed under the key-encryption key";
        register.AssertFailed(Refusal);
        audit.AssertFailed(Refusal);
    }

    public void Dispose() => _key.Dispose();

    private async Task<string> RegisterAsync()
    {
        var anchor = CliDatabase.NewAnchor();
        (await db.RunAsync("app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(_key)))
            .AssertJson(("anchor", JsonValueKind.String), ("sectorId", JsonValueKind.String), ("keyId", JsonValueKind.String));
        return anchor;
    }

    /// <summary>Neither the private key nor the KEK, in any usual encoding, appears in what the command printed.</summary>
    private async Task AssertNoKeyMaterialAsync(string anchor, string printed)
    {
        var application = await db.FindApplicationAsync(anchor);
        var key = await db.Services.GetRequiredService<SigningKeyRing>()
            .GetCurrentSigningKeyAsync(application!.Id, DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        var secret = key!.PrivateKey.ExportParameters(includePrivateParameters: true);
        foreach (var encoded in new[]
        {
            Convert.ToBase64String(secret.D!)[..16],
            System.Buffers.Text.Base64Url.EncodeToString(secret.D!)[..16],
            Convert.ToHexString(secret.D!)[..16],
            Convert.ToHexStringLower(secret.D!)[..16],
            Convert.ToBase64String(key.PrivateKey.ExportPkcs8PrivateKey())[40..56],
            db.KeyEncryptionKey,
        })
        {
            Assert.DoesNotContain(encoded, printed, StringComparison.Ordinal);
        }
    }
}
