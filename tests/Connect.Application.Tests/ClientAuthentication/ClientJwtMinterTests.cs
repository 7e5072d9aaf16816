using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Connect.Application.ClientAuthentication;
using Connect.Testing.ClientJwts;

namespace Connect.Application.Tests.ClientAuthentication;

/// <summary>
/// The one minter of genuine client JWTs (CLI demo, drill, benchmarks, tests) against the service's own reader and
/// policy, and the tests' forger held to it.
/// </summary>
public sealed class ClientJwtMinterTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(ClientJwtPolicyHarness.Now);

    private readonly ClientJwtPolicyHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Minted_token_authenticates_under_the_policy_and_binds_the_body()
    {
        var token = ClientJwtMinter.Mint(ClientJwtPolicyHarness.Anchor, _h.Key, _h.Body, Now);

        var outcome = await _h.AuthenticateAsync(ClientJwtPolicyHarness.Header(token));

        _h.AssertSucceeded(outcome);
        var read = ClientJwtReader.Read(token).Value!;
        Assert.Equal(
            ("RS256", null, ClientJwtPolicyHarness.Anchor, ClientJwtOptions.ConnectAudience, Now.ToUnixTimeSeconds(), Now.ToUnixTimeSeconds() + 60),
            (read.Algorithm, read.KeyId, read.Issuer, read.Audience, read.IssuedAt, read.ExpiresAt));
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(_h.Body)), read.BodySha256);
    }

    [Fact]
    public async Task Minted_token_is_refused_for_any_other_body()
    {
        var token = ClientJwtMinter.Mint(ClientJwtPolicyHarness.Anchor, _h.Key, RevokeAllBodies.For("another-subject"), Now);

        var outcome = await _h.AuthenticateAsync(ClientJwtPolicyHarness.Header(token));

        _h.AssertRejectedBeforeReplay(Domain.Outcomes.ReasonCode.ClientJwtBodyHashMismatch, outcome);
    }

    [Fact]
    public void Header_and_payload_are_the_SDKs_members_in_their_order()
    {
        var token = ClientJwtMinter.Mint(ClientJwtPolicyHarness.Anchor, _h.Key, _h.Body, Now);

        Assert.Equal("""{"alg":"RS256","typ":"JWT"}""", Decoded(token, 0));
        Assert.Equal(["iss", "aud", "iat", "exp", "jti", "body_sha256"], MemberNames(Decoded(token, 1)));
    }

    [Fact]
    public async Task A_key_id_is_written_after_typ_and_names_the_registered_key()
    {
        var keyId = ClientJwtPolicyHarness.KeyOf(_h.Key).Id.Value;

        var token = ClientJwtMinter.Mint(ClientJwtPolicyHarness.Anchor, _h.Key, _h.Body, Now, keyId);

        Assert.Equal($$"""{"alg":"RS256","typ":"JWT","kid":"{{keyId}}"}""", Decoded(token, 0));
        _h.AssertSucceeded(await _h.AuthenticateAsync(ClientJwtPolicyHarness.Header(token)));
    }

    [Fact]
    public void Two_mints_have_different_jti()
    {
        var first = ClientJwtReader.Read(ClientJwtMinter.Mint(ClientJwtPolicyHarness.Anchor, _h.Key, _h.Body, Now)).Value!;
        var second = ClientJwtReader.Read(ClientJwtMinter.Mint(ClientJwtPolicyHarness.Anchor, _h.Key, _h.Body, Now)).Value!;

        Assert.NotEqual(first.Id, second.Id);
    }

    [Fact]
    public async Task The_forger_untouched_signs_exactly_the_minted_token_and_it_verifies()
    {
        // A body whose hash has a '+' and a '/', which a JSON writer may escape: the forger must not re-spell it.
        var body = BodyWhoseHashHasPlusAndSlash();
        _h.Body = body;
        var jwt = new TestClientJwt(ClientJwtPolicyHarness.Anchor, _h.Key, Now, body);

        var token = jwt.Sign();

        Assert.Equal(jwt.Minted, token);
        Assert.Equal(MemberNames(Decoded(jwt.Minted, 0)), jwt.Header.Select(member => member.Key));
        Assert.Equal(MemberNames(Decoded(jwt.Minted, 1)), jwt.Payload.Select(member => member.Key));
        _h.AssertSucceeded(await _h.AuthenticateAsync(jwt));
    }

    [Fact]
    public async Task The_CSharp_SDKs_escaped_spelling_of_body_sha256_still_authenticates()
    {
        // The C# SDK serializes with the default encoder, which writes '+' as \u002B; the minter writes '+'.
        var body = BodyWhoseHashHasPlusAndSlash();
        _h.Body = body;
        var jwt = new TestClientJwt(ClientJwtPolicyHarness.Anchor, _h.Key, Now, body);
        jwt.RawPayloadJson = jwt.Payload.ToJsonString();

        Assert.Contains("\\u002B", jwt.RawPayloadJson, StringComparison.Ordinal);
        _h.AssertSucceeded(await _h.AuthenticateAsync(jwt));
    }

    private static byte[] BodyWhoseHashHasPlusAndSlash()
    {
        for (var i = 0; ; i++)
        {
            var body = RevokeAllBodies.For($"subject-{i}");
            var hash = ClientJwtMinter.BodySha256(body);
            if (hash.Contains('+', StringComparison.Ordinal) && hash.Contains('/', StringComparison.Ordinal))
            {
                return body;
            }
        }
    }

    private static string Decoded(string token, int segment) =>
        Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Split('.')[segment]));

    private static string[] MemberNames(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateObject().Select(member => member.Name).ToArray();
    }
}
