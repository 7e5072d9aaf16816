using System.Security.Cryptography;
using System.Text.Json;
using Connect.Application.Administration;
using Connect.Domain.Outcomes;

namespace Connect.Cli.Tests;

public sealed class ApplicationCommandTests(CliDatabase db) : IClassFixture<CliDatabase>, IDisposable
{
    private static readonly (string, JsonValueKind)[] Registered =
        [("anchor", JsonValueKind.String), ("sectorId", JsonValueKind.String), ("keyId", JsonValueKind.String)];

    private readonly RSA _key = RSA.Create(2048);

    [Fact]
    public async Task Register_without_a_sector_gives_the_application_a_fresh_sector_of_its_own()
    {
        var anchor = CliDatabase.NewAnchor();
        var other = await RegisterAsync(CliDatabase.NewAnchor());

        var run = await db.RunAsync("app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(_key));

        var json = run.AssertJson(Registered);
        Assert.Equal(anchor, json.GetProperty("anchor").GetString());
        Assert.Equal(ClientPublicKey.FromPem(_key.ExportSubjectPublicKeyInfoPem()).Id.Value, json.GetProperty("keyId").GetString());
        var found = await db.FindApplicationAsync(anchor);
        Assert.NotNull(found);
        Assert.Equal(json.GetProperty("sectorId").GetGuid(), found.Sector.Value);
        Assert.NotEqual(other.GetProperty("sectorId").GetGuid(), found.Sector.Value);
        Assert.True(found.Enabled);
        Assert.Null(await db.AuthenticateAsync(anchor, _key));
    }

    [Fact]
    public async Task Register_with_a_sector_joins_that_sector()
    {
        var sector = (await db.RunAsync("sector", "create")).AssertJson(("sectorId", JsonValueKind.String)).GetProperty("sectorId").GetString()!;
        var anchor = CliDatabase.NewAnchor();

        var run = await db.RunAsync("app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(_key), "--sector", sector);

        Assert.Equal(sector, run.AssertJson(Registered).GetProperty("sectorId").GetString());
        Assert.Equal(Guid.Parse(sector), (await db.FindApplicationAsync(anchor))!.Sector.Value);
    }

    [Fact]
    public async Task Register_into_an_unknown_sector_is_refused()
    {
        var sector = Guid.NewGuid();

        var run = await db.RunAsync(
            "app", "register", "--anchor", CliDatabase.NewAnchor(), "--public-key", db.WritePublicKey(_key), "--sector", sector.ToString());

        run.AssertFailed($"no sector has the id {sector}");
    }

    [Fact]
    public async Task Register_with_a_taken_anchor_is_refused_and_keeps_the_first_registration()
    {
        var anchor = CliDatabase.NewAnchor();
        var first = await RegisterAsync(anchor);
        using var other = RSA.Create(2048);

        var run = await db.RunAsync("app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(other));

        run.AssertFailed($"the anchor '{anchor}' is already registered");
        var found = await db.FindApplicationAsync(anchor);
        Assert.Equal(first.GetProperty("keyId").GetString(), Assert.Single(found!.ActiveKeys).Id.Value);
    }

    [Fact]
    public async Task Register_with_a_1024_bit_key_is_refused()
    {
        using var small = RSA.Create(1024);

        var run = await RunRegisterAsync(db.WritePublicKey(small));

        run.AssertFailed("invalid public key: the RSA key has 1024 bits; at least 2048 are required");
    }

    [Fact]
    public async Task Register_with_an_EC_key_is_refused()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var run = await RunRegisterAsync(db.WriteFile(ec.ExportSubjectPublicKeyInfoPem()));

        run.AssertFailed("invalid public key: not an RSA public key");
    }

    [Fact]
    public async Task Register_with_a_private_key_PEM_is_refused()
    {
        var run = await RunRegisterAsync(db.WriteFile(_key.ExportPkcs8PrivateKeyPem()));

        run.AssertFailed("invalid public key: not a PEM public key (expected -----BEGIN PUBLIC KEY-----)");
    }

    [Fact]
    public async Task Register_with_a_garbage_file_is_refused()
    {
        var run = await RunRegisterAsync(db.WriteFile("this is not a key\n\0\x01\x02"));

        run.AssertFailed("invalid public key: not a PEM public key");
    }

    [Fact]
    public async Task Register_with_a_missing_file_is_refused()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.pem");

        var run = await RunRegisterAsync(path);

        run.AssertFailed($"cannot read the public key file '{path}': no such file");
    }

    [Fact]
    public async Task Register_with_a_directory_for_a_file_is_refused()
    {
        var run = await RunRegisterAsync(Path.GetTempPath());

        run.AssertFailed("it is a directory");
    }

    [Fact]
    public async Task Register_with_a_huge_file_is_refused_without_reading_it_all()
    {
        var run = await RunRegisterAsync(db.WriteFile(new string('A', 65 * 1024)));

        run.AssertFailed("it is larger than 64 KiB");
    }

    [Theory]
    [InlineData("", "the anchor must not be empty")]
    [InlineData(" padded", "the anchor must not begin or end with whitespace")]
    [InlineData("padded ", "the anchor must not begin or end with whitespace")]
    [InlineData("tab\tinside", "the anchor must not contain control characters")]
    [InlineData("line\nbreak", "the anchor must not contain control characters")]
    [InlineData("nul\0inside", "the anchor must not contain control characters")]
    public async Task Register_with_a_malformed_anchor_is_refused(string anchor, string message)
    {
        var run = await db.RunAsync("app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(_key));

        run.AssertFailed(message);
    }

    [Fact]
    public async Task Register_with_an_anchor_over_255_characters_is_refused_and_255_is_fine()
    {
        var longest = CliDatabase.NewAnchor().PadRight(255, 'x');

        var tooLong = await db.RunAsync("app", "register", "--anchor", longest + "x", "--public-key", db.WritePublicKey(_key));
        var fine = await db.RunAsync("app", "register", "--anchor", longest, "--public-key", db.WritePublicKey(_key));

        tooLong.AssertFailed("the anchor must be at most 255 characters");
        Assert.Equal(longest, fine.AssertJson(Registered).GetProperty("anchor").GetString());
    }

    [Fact]
    public async Task Disable_and_enable_are_seen_by_the_client_application_directory_and_the_jwt_policy()
    {
        var anchor = CliDatabase.NewAnchor();
        await RegisterAsync(anchor);

        var disabled = await db.RunAsync("app", "disable", "--anchor", anchor);
        var whileDisabled = await db.FindApplicationAsync(anchor);
        var enabled = await db.RunAsync("app", "enable", "--anchor", anchor);
        var whileEnabled = await db.FindApplicationAsync(anchor);

        var off = disabled.AssertJson(("anchor", JsonValueKind.String), ("enabled", JsonValueKind.False));
        Assert.Equal(anchor, off.GetProperty("anchor").GetString());
        enabled.AssertJson(("anchor", JsonValueKind.String), ("enabled", JsonValueKind.True));
        Assert.False(whileDisabled!.Enabled);
        Assert.True(whileEnabled!.Enabled);
    }

    [Fact]
    public async Task Disabled_application_is_refused_by_the_jwt_policy()
    {
        var anchor = CliDatabase.NewAnchor();
        await RegisterAsync(anchor);

        (await db.RunAsync("app", "disable", "--anchor", anchor)).AssertJson(("anchor", JsonValueKind.String), ("enabled", JsonValueKind.False));

        Assert.Equal(ReasonCode.ApplicationDisabled, await db.AuthenticateAsync(anchor, _key));
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("enable")]
    public async Task Disable_or_enable_an_unknown_anchor_is_refused(string verb)
    {
        var anchor = CliDatabase.NewAnchor();

        var run = await db.RunAsync("app", verb, "--anchor", anchor);

        run.AssertFailed($"no application has the anchor '{anchor}'");
    }

    [Fact]
    public async Task Added_key_verifies_and_a_retired_key_stops_verifying_at_once()
    {
        var anchor = CliDatabase.NewAnchor();
        var firstKeyId = (await RegisterAsync(anchor)).GetProperty("keyId").GetString()!;
        using var next = RSA.Create(2048);

        var added = await db.RunAsync("app", "key", "add", "--anchor", anchor, "--public-key", db.WritePublicKey(next));
        var bothVerify = (await db.AuthenticateAsync(anchor, _key), await db.AuthenticateAsync(anchor, next));
        var retired = await db.RunAsync("app", "key", "retire", "--anchor", anchor, "--key-id", firstKeyId);

        var addedJson = added.AssertJson(("anchor", JsonValueKind.String), ("keyId", JsonValueKind.String));
        Assert.Equal(ClientPublicKey.FromPem(next.ExportSubjectPublicKeyInfoPem()).Id.Value, addedJson.GetProperty("keyId").GetString());
        Assert.Equal(((ReasonCode?)null, (ReasonCode?)null), bothVerify);
        var retiredJson = retired.AssertJson(("anchor", JsonValueKind.String), ("keyId", JsonValueKind.String), ("retired", JsonValueKind.True));
        Assert.Equal(firstKeyId, retiredJson.GetProperty("keyId").GetString());
        Assert.Equal(ReasonCode.ClientJwtInvalidSignature, await db.AuthenticateAsync(anchor, _key));
        Assert.Equal(ReasonCode.ClientJwtInvalidSignature, await db.AuthenticateAsync(anchor, _key, keyId: firstKeyId));
        Assert.Null(await db.AuthenticateAsync(anchor, next));
        Assert.Equal([addedJson.GetProperty("keyId").GetString()], (await db.FindApplicationAsync(anchor))!.ActiveKeys.Select(key => key.Id.Value));
    }

    [Fact]
    public async Task Adding_a_retired_key_again_is_refused_and_it_keeps_failing_to_verify()
    {
        var anchor = CliDatabase.NewAnchor();
        var keyId = (await RegisterAsync(anchor)).GetProperty("keyId").GetString()!;
        (await db.RunAsync("app", "key", "retire", "--anchor", anchor, "--key-id", keyId))
            .AssertJson(("anchor", JsonValueKind.String), ("keyId", JsonValueKind.String), ("retired", JsonValueKind.True));

        var again = await db.RunAsync("app", "key", "add", "--anchor", anchor, "--public-key", db.WritePublicKey(_key));

        again.AssertFailed($"the key '{keyId}' of '{anchor}' was retired and is never brought back; generate a new key pair");
        Assert.Equal(ReasonCode.ClientJwtInvalidSignature, await db.AuthenticateAsync(anchor, _key));
    }

    [Fact]
    public async Task Retiring_a_key_twice_is_refused_the_second_time()
    {
        var anchor = CliDatabase.NewAnchor();
        var keyId = (await RegisterAsync(anchor)).GetProperty("keyId").GetString()!;
        (await db.RunAsync("app", "key", "retire", "--anchor", anchor, "--key-id", keyId))
            .AssertJson(("anchor", JsonValueKind.String), ("keyId", JsonValueKind.String), ("retired", JsonValueKind.True));

        var again = await db.RunAsync("app", "key", "retire", "--anchor", anchor, "--key-id", keyId);

        again.AssertFailed($"the application '{anchor}' has no active key '{keyId}'");
    }

    [Fact]
    public async Task Retiring_an_unknown_key_or_a_key_of_an_unknown_anchor_is_refused()
    {
        var anchor = CliDatabase.NewAnchor();
        await RegisterAsync(anchor);
        var stranger = CliDatabase.NewAnchor();

        var unknownKey = await db.RunAsync("app", "key", "retire", "--anchor", anchor, "--key-id", "no-such-key");
        var unknownAnchor = await db.RunAsync("app", "key", "retire", "--anchor", stranger, "--key-id", "no-such-key");

        unknownKey.AssertFailed($"the application '{anchor}' has no active key 'no-such-key'");
        unknownAnchor.AssertFailed($"no application has the anchor '{stranger}'");
    }

    [Theory]
    [InlineData("", "the key id must not be empty")]
    [InlineData("kid\u0007", "the key id must not contain control characters")]
    public async Task Retiring_a_malformed_key_id_is_refused(string keyId, string message)
    {
        var run = await db.RunAsync("app", "key", "retire", "--anchor", "a", "--key-id", keyId);

        run.AssertFailed(message);
    }

    [Fact]
    public async Task Adding_a_key_to_an_unknown_anchor_is_refused()
    {
        var anchor = CliDatabase.NewAnchor();

        var run = await db.RunAsync("app", "key", "add", "--anchor", anchor, "--public-key", db.WritePublicKey(_key));

        run.AssertFailed($"no application has the anchor '{anchor}'");
    }

    [Fact]
    public async Task Adding_a_small_or_unreadable_key_is_refused()
    {
        var anchor = CliDatabase.NewAnchor();
        await RegisterAsync(anchor);
        using var small = RSA.Create(1024);

        var tooSmall = await db.RunAsync("app", "key", "add", "--anchor", anchor, "--public-key", db.WritePublicKey(small));
        var missing = await db.RunAsync("app", "key", "add", "--anchor", anchor, "--public-key", "/no/such/key.pem");

        tooSmall.AssertFailed("at least 2048 are required");
        missing.AssertFailed("cannot read the public key file '/no/such/key.pem': no such file");
    }

    public void Dispose() => _key.Dispose();

    private Task<CliRun> RunRegisterAsync(string publicKeyPath) =>
        db.RunAsync("app", "register", "--anchor", CliDatabase.NewAnchor(), "--public-key", publicKeyPath);

    private async Task<JsonElement> RegisterAsync(string anchor) =>
        (await db.RunAsync("app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(_key))).AssertJson(Registered);
}
