using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Connect.Testing.ClientJwts;

namespace Connect.Api.Tests.Attacks;

/// <summary>
/// body_sha256 binds the exact raw bytes, not the JSON value they carry: any other spelling of the signed body
/// is <c>ClientJwtBodyHashMismatch</c>, checked before the replay record is written, so the genuine request
/// with the same token still succeeds afterwards. Bytes that were signed exactly are judged by the parser.
/// </summary>
[TestCaseOrderer(ControlLastOrderer.TypeName, ControlLastOrderer.AssemblyName)]
public sealed class BodyHashAttacks(AttackTarget target) : IClassFixture<AttackTarget>
{
    [Theory]
    [InlineData("re-serialised with spaces")]
    [InlineData("re-serialised indented")]
    [InlineData("members swapped")]
    [InlineData("name escaped")]
    [InlineData("value escaped")]
    [InlineData("trailing newline")]
    [InlineData("trailing CRLF")]
    [InlineData("leading space")]
    [InlineData("BOM")]
    [InlineData("empty")]
    [InlineData("truncated")]
    [InlineData("NUL appended")]
    [InlineData("second object appended")]
    [InlineData("another subject")]
    public async Task Body_other_than_the_signed_bytes_is_a_hash_mismatch_and_burns_nothing(string variant)
    {
        var victim = await target.NewVictimAsync();
        var signed = Encoding.UTF8.GetBytes($$"""{"subject":"{{victim.Subject}}","client":"sdk"}""");
        var token = target.NewJwt(signed).Sign();
        var sent = Variant(variant, victim.Subject, signed);
        Assert.NotEqual(signed, sent);

        var response = await target.SendAsync($"SudomimusClientJWT {token}", sent);

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtBodyHashMismatch");
        await target.AssertUntouchedAsync(victim);
        await target.AssertRevokedAsync(victim, await target.SendAsync($"SudomimusClientJWT {token}", signed));
    }

    [Theory]
    [InlineData("base64url")]
    [InlineData("base64 unpadded")]
    [InlineData("hex")]
    [InlineData("sha256 of the empty body")]
    [InlineData("sha512")]
    [InlineData("sha384")]
    [InlineData("sha256 of the token's signing input")]
    [InlineData("empty string")]
    public async Task Claimed_hash_in_another_form_or_of_other_bytes_is_a_mismatch(string form)
    {
        var victim = await target.NewVictimAsync();
        var body = BodyWithUrlUnsafeDigest(victim.Subject);
        var digest = SHA256.HashData(body);
        var jwt = target.NewJwt(body);
        jwt.Payload["body_sha256"] = form switch
        {
            "base64url" => Convert.ToBase64String(digest).Replace('+', '-').Replace('/', '_'),
            "base64 unpadded" => Convert.ToBase64String(digest).TrimEnd('='),
            "hex" => Convert.ToHexStringLower(digest),
            "sha256 of the empty body" => Convert.ToBase64String(SHA256.HashData([])),
            "sha512" => Convert.ToBase64String(SHA512.HashData(body)),
            "sha384" => Convert.ToBase64String(SHA384.HashData(body)),
            "sha256 of the token's signing input" => Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(
                TestClientJwt.Segment(jwt.Header.ToJsonString())))),
            _ => "",
        };

        var response = await target.SendAsync(jwt, body);

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtBodyHashMismatch");
        await target.AssertUntouchedAsync(victim);
    }

    [Fact]
    public async Task Body_swapped_under_a_spent_token_is_a_mismatch_not_a_replay()
    {
        // The hash is checked before the replay record: a tampered request learns nothing about the jti.
        var victim = await target.NewVictimAsync();
        var token = target.NewJwt(victim.Body).Sign();
        await target.AssertRevokedAsync(victim, await target.SendAsync($"SudomimusClientJWT {token}", victim.Body));
        var stranger = await target.NewVictimAsync();

        var response = await target.SendAsync($"SudomimusClientJWT {token}", stranger.Body);

        await ApiAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "ClientJwtBodyHashMismatch");
        await target.AssertUntouchedAsync(stranger);
    }

    [Theory]
    [InlineData("re-serialised with spaces")]
    [InlineData("members swapped")]
    [InlineData("name escaped")]
    [InlineData("value escaped")]
    [InlineData("trailing newline")]
    [InlineData("leading space")]
    public async Task Any_spelling_signed_exactly_is_read_as_the_json_it_carries(string variant)
    {
        var victim = await target.NewVictimAsync();
        var signed = Encoding.UTF8.GetBytes($$"""{"subject":"{{victim.Subject}}","client":"sdk"}""");
        var sent = Variant(variant, victim.Subject, signed);

        var response = await target.SendAsync(target.NewJwt(sent), sent);

        await target.AssertRevokedAsync(victim, response);
    }

    [Theory]
    [InlineData("BOM")]
    [InlineData("empty")]
    [InlineData("NUL appended")]
    [InlineData("second object appended")]
    public async Task Bytes_signed_exactly_that_are_not_one_json_object_are_InvalidBody(string variant)
    {
        // Authenticated, so the jti is spent; the body is refused by the parser (docs/decisions.md: no BOM).
        var victim = await target.NewVictimAsync();
        var sent = Variant(variant, victim.Subject, victim.Body);

        var response = await target.SendAsync(target.NewJwt(sent), sent);

        await ApiAssert.ReasonAsync(response, HttpStatusCode.BadRequest, "InvalidBody");
        await target.AssertUntouchedAsync(victim, burned: 1);
    }

    [Fact]
    [Control]
    public async Task Genuine_request_still_succeeds_after_the_body_hash_attacks()
    {
        var victim = await target.NewVictimAsync();

        var response = await target.SendAsync(target.NewJwt(victim.Body), victim.Body);

        await target.AssertRevokedAsync(victim, response);
    }

    private static byte[] Variant(string variant, string subject, byte[] signed)
    {
        var escapedFirst = $"\\u{(int)subject[0]:x4}{subject[1..]}";
        var text = variant switch
        {
            "re-serialised with spaces" => $$"""{ "subject" : "{{subject}}" , "client" : "sdk" }""",
            "re-serialised indented" => $"{{\n  \"subject\": \"{subject}\",\n  \"client\": \"sdk\"\n}}",
            "members swapped" => $$"""{"client":"sdk","subject":"{{subject}}"}""",
            "name escaped" => $$"""{"\u0073ubject":"{{subject}}","client":"sdk"}""",
            "value escaped" => $$"""{"subject":"{{escapedFirst}}","client":"sdk"}""",
            "another subject" => $$"""{"subject":"{{subject[..^1]}}{{(subject[^1] == 'A' ? 'B' : 'A')}}","client":"sdk"}""",
            _ => null,
        };
        if (text is not null)
        {
            return Encoding.UTF8.GetBytes(text);
        }

        return variant switch
        {
            "trailing newline" => [.. signed, (byte)'\n'],
            "trailing CRLF" => [.. signed, (byte)'\r', (byte)'\n'],
            "leading space" => [(byte)' ', .. signed],
            "BOM" => [0xEF, 0xBB, 0xBF, .. signed],
            "empty" => [],
            "truncated" => signed[..^1],
            "NUL appended" => [.. signed, 0],
            "second object appended" => [.. signed, .. signed],
            _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, null),
        };
    }

    /// <summary>A body naming <paramref name="subject"/> whose SHA-256 has '+' or '/' in standard base64.</summary>
    private static byte[] BodyWithUrlUnsafeDigest(string subject)
    {
        for (var i = 0; ; i++)
        {
            var body = Encoding.UTF8.GetBytes($$"""{"subject":"{{subject}}","n":{{i}}}""");
            var digest = Convert.ToBase64String(SHA256.HashData(body));
            if (digest.AsSpan().IndexOfAny('+', '/') >= 0 && Base64Url.EncodeToString(SHA256.HashData(body)) != digest)
            {
                return body;
            }
        }
    }
}
