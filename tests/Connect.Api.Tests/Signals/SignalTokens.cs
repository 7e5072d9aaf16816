using System.Buffers.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Connect.Api.Tests.Signals;

/// <summary>A received token verified as a receiver would: Microsoft's JWT handler, the application's JWKS document.</summary>
internal static class SignalTokens
{
    /// <summary>The subject a token names: <c>sub</c>, else CAEP's <c>sub_id</c> (its user, for one session).</summary>
    public static string Subject(JsonElement payload)
    {
        if (payload.TryGetProperty("sub", out var sub))
        {
            return sub.GetString()!;
        }

        var subId = payload.GetProperty("sub_id");
        return subId.TryGetProperty("user", out var user) ? user.GetProperty("id").GetString()! : subId.GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> VerifiedPayloadAsync(string token, string jwks, string type, string audience)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidTypes = [type],
            ValidIssuer = SignalService.Issuer,
            ValidAudience = audience,
            ValidAlgorithms = ["RS256"],
            IssuerSigningKeys = new JsonWebKeySet(jwks).GetSigningKeys(),
            RequireExpirationTime = type == "logout+jwt", // a SET has no exp
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        return JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1])).RootElement;
    }
}
