using Connect.Domain.Outcomes;

namespace Connect.Application.Tests.Fuzzing;

/// <summary>
/// The contract's client-JWT rules (docs/contract/revoke-all.md and docs/decisions.md) restated over the fuzzer's model of the
/// header and payload, independently of the policy's code: the outcome the policy must give a token signed
/// with the registered key of <c>acme-app</c>, at the harness's clock, over the harness's body.
/// </summary>
internal static class ClientJwtRulesModel
{
    private const long Now = Connect.Application.Tests.ClientAuthentication.ClientJwtPolicyHarness.Now;
    private const int MaxJsonDepth = 8;

    // Every other header member is ignored (contract/revoke-all.md): zip, enc, b64, cty and x5t included.
    private static readonly string[] RejectedHeaderParameters = ["crit", "jku", "jwk", "x5u", "x5c"];

    /// <returns>The reason, or <c>null</c> for success.</returns>
    public static ReasonCode? Expect(
        IReadOnlyList<FuzzMember> header, IReadOnlyList<FuzzMember> payload, string token, string registeredKeyId, string bodyHash)
    {
        if (token.Length > 4096 || !IsStrictJson(header) || !IsStrictJson(payload)
            || RejectedHeaderParameters.Any(name => Find(header, name) is not null)
            || !IsStringOrNull(Find(payload, "azp")))
        {
            return ReasonCode.ClientJwtMalformed;
        }

        var alg = Find(header, "alg");
        var kid = Find(header, "kid");
        var typ = Find(header, "typ");
        var iss = Find(payload, "iss");
        var sub = Find(payload, "sub");
        var aud = Find(payload, "aud");
        var iat = Find(payload, "iat");
        var exp = Find(payload, "exp");
        var nbf = Find(payload, "nbf");
        var jti = Find(payload, "jti");
        var hash = Find(payload, "body_sha256");
        var wellFormed = (alg is null || alg.IsWellFormedString)
            && (kid is null || kid.IsWellFormedString)
            && (typ is null || (typ.IsWellFormedString && typ.Text == "JWT"))
            && iss is { IsWellFormedString: true } && iss.Text!.Length > 0
            && (sub is null || (sub.IsWellFormedString && sub.Text == iss.Text))
            && aud is { IsWellFormedString: true }
            && iat is { Kind: FuzzKind.Integer } && exp is { Kind: FuzzKind.Integer }
            && (nbf is null || nbf.Kind == FuzzKind.Integer)
            && jti is { IsWellFormedString: true } && jti.Text!.Length is > 0 and <= 128 && !jti.Text.Contains('\0', StringComparison.Ordinal)
            && hash is { IsWellFormedString: true };
        if (!wellFormed)
        {
            return ReasonCode.ClientJwtMalformed;
        }

        // No alg is verified as RS256; a present alg must say RS256.
        if (alg is not null && alg.Text != "RS256")
        {
            return ReasonCode.ClientJwtAlgorithmRejected;
        }

        if (iss!.Text is not ("acme-app" or "other-app"))
        {
            return ReasonCode.ClientJwtUnknownApplication;
        }

        if (iss.Text != "acme-app" || (kid is not null && kid.Text != registeredKeyId))
        {
            return ReasonCode.ClientJwtInvalidSignature;
        }

        if (aud!.Text is not ("sudomimus-connect" or "sudomimus-session"))
        {
            return ReasonCode.ClientJwtAudienceMismatch;
        }

        if (exp!.Integer <= Now)
        {
            return ReasonCode.ClientJwtExpired;
        }

        if (iat!.Integer > Now + 30 || (nbf is not null && nbf.Integer > Now + 30))
        {
            return ReasonCode.ClientJwtNotYetValid;
        }

        var lifetime = (Int128)exp.Integer - iat.Integer;
        if (lifetime <= 0 || lifetime > 60)
        {
            return ReasonCode.ClientJwtLifetimeTooLong;
        }

        return hash!.Text == bodyHash ? null : ReasonCode.ClientJwtBodyHashMismatch;
    }

    /// <summary>
    /// One object of valid JSON, no member name twice at any level, nested at most 8 deep, and no string (read
    /// by a rule or not) holding an unpaired surrogate.
    /// </summary>
    private static bool IsStrictJson(IReadOnlyList<FuzzMember> members) =>
        members.Select(member => member.Name).Distinct(StringComparer.Ordinal).Count() == members.Count
        && members.All(member => member.Value.Kind != FuzzKind.Invalid
            && (member.Value.Kind != FuzzKind.String || member.Value.IsWellFormedString)
            && !member.Value.Duplicates
            && 1 + member.Value.Depth <= MaxJsonDepth);

    /// <summary>Registered members the signature library reads as text (RFC 7515 §4.1.10, §4.1.7; OIDC azp): absent, null or a string.</summary>
    private static bool IsStringOrNull(FuzzValue? value) => value is null || value.Kind == FuzzKind.String || value.Json == "null";

    private static FuzzValue? Find(IReadOnlyList<FuzzMember> members, string name) =>
        members.FirstOrDefault(member => member.Name == name)?.Value;
}
