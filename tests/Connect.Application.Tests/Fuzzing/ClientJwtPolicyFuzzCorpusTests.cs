using System.Globalization;
using System.Text;
using Connect.Application.ClientAuthentication;
using Connect.Application.Tests.ClientAuthentication;
using Connect.Domain.Outcomes;
using Connect.Testing.ClientJwts;

namespace Connect.Application.Tests.Fuzzing;

/// <summary>
/// The corpus: header and payload JSON that made the fuzzer (or the attack suite) find a bug, kept as
/// regression cases. Each is signed with the registered key, so only its JSON decides the outcome.
/// Placeholders: {iss}, {hash} (the body's), {jti}, {now}, {exp}.
/// </summary>
public sealed class ClientJwtPolicyFuzzCorpusTests : IDisposable
{
    private const string Header = """{"alg":"RS256","typ":"JWT"}""";
    private const string Payload = """{"iss":"{iss}","aud":"sudomimus-connect","iat":{now},"exp":{exp},"jti":"{jti}","body_sha256":"{hash}"}""";

    private readonly ClientJwtPolicyHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Theory]
    // Bug: a lone surrogate in a member no rule reads passed the reader, then the signature library could not
    // parse the token and it was refused as ClientJwtInvalidSignature (fuzz seed 2pvz7gTKJ6p1, 4Nky4DU0jrE1).
    [InlineData("""{"alg":"RS256","typ":"JWT","cty":".\ud83d\u2028"}""", Payload)]
    [InlineData(Header, """{"iss":"{iss}","aud":"sudomimus-connect","iat":{now},"exp":{exp},"jti":"{jti}","body_sha256":"{hash}","x":" \udd11 "}""")]
    [InlineData(Header, """{"iss":"{iss}","aud":"sudomimus-connect","iat":{now},"exp":{exp},"jti":"{jti}","body_sha256":"{hash}","\ud800":1}""")]
    [InlineData(Header, """{"iss":"{iss}","aud":"sudomimus-connect","iat":{now},"exp":{exp},"jti":"{jti}","body_sha256":"{hash}","x":["\udc00"]}""")]
    // Bug: registered members the signature library types (cty, x5t, azp) passed the reader with another type
    // and were refused as ClientJwtInvalidSignature (fuzz seed 48-AaW_rlir1). The header's cty and x5t are now
    // ignored like every member contract/revoke-all.md does not name (accepted below); the payload's azp stays typed.
    [InlineData(Header, """{"iss":"{iss}","aud":"sudomimus-connect","iat":{now},"exp":{exp},"jti":"{jti}","body_sha256":"{hash}","azp":5}""")]
    // Bug: a jti holding NUL was accepted and the replay insert failed with a 500 (attack suite, ClaimBoundaryAttacks).
    [InlineData(Header, """{"iss":"{iss}","aud":"sudomimus-connect","iat":{now},"exp":{exp},"jti":"{jti}\u0000","body_sha256":"{hash}"}""")]
    public async Task Regression_input_is_malformed(string header, string payload)
    {
        var outcome = await AuthenticateAsync(header, payload);

        _h.AssertRejectedBeforeReplay(ReasonCode.ClientJwtMalformed, outcome);
    }

    [Theory]
    // The same members with the types the contract and the library agree on are accepted, and the header's cty and
    // x5t whatever their type.
    [InlineData("""{"alg":"RS256","typ":"JWT","x5t":[[[]]]}""", Payload)]
    [InlineData("""{"alg":"RS256","typ":"JWT","cty":1}""", Payload)]
    [InlineData("""{"alg":"RS256","typ":"JWT","cty":"JWT","x5t":"abc"}""", Payload)]
    [InlineData("""{"alg":"RS256","typ":"JWT","cty":null}""", Payload)]
    [InlineData(Header, """{"iss":"{iss}","aud":"sudomimus-connect","iat":{now},"exp":{exp},"jti":"{jti}","body_sha256":"{hash}","azp":"{iss}","x":["\ud83d\udd11"]}""")]
    public async Task Well_typed_neighbour_of_a_regression_input_is_accepted(string header, string payload)
    {
        var outcome = await AuthenticateAsync(header, payload);

        _h.AssertSucceeded(outcome);
    }

    private Task<Outcome<AuthenticatedApplication>> AuthenticateAsync(string header, string payload)
    {
        var filled = payload
            .Replace("{iss}", ClientJwtPolicyHarness.Anchor, StringComparison.Ordinal)
            .Replace("{hash}", TestClientJwt.BodySha256(_h.Body), StringComparison.Ordinal)
            .Replace("{jti}", Guid.NewGuid().ToString("N"), StringComparison.Ordinal)
            .Replace("{now}", ClientJwtPolicyHarness.Now.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{exp}", (ClientJwtPolicyHarness.Now + 60).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var token = ClientJwtTampering.SignRaw(_h.Key, Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes(filled));
        return _h.AuthenticateAsync(ClientJwtPolicyHarness.Header(token));
    }
}
