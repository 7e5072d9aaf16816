using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Connect.Testing.SessionTokens;

/// <summary>
/// Verifies a session token as any relying party would: the key named by the token's <c>kid</c>, taken from the
/// published JWKS and rebuilt from its <c>n</c> and <c>e</c> alone, and a plain RS256 check. Nothing of the
/// service's own code is used.
/// </summary>
public static class JwksCheck
{
    public static async Task<bool> VerifiesAsync(HttpClient http, string anchor, string token)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(token);
        var jwks = await http.GetStringAsync(new Uri($"/applications/{Uri.EscapeDataString(anchor)}/jwks.json", UriKind.Relative));
        var parts = token.Split('.');
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        var keyId = header.RootElement.GetProperty("kid").GetString();
        using var keys = JsonDocument.Parse(jwks);
        foreach (var key in keys.RootElement.GetProperty("keys").EnumerateArray())
        {
            if (key.GetProperty("kid").GetString() != keyId)
            {
                continue;
            }

            using var rsa = RSA.Create(new RSAParameters
            {
                Modulus = Base64Url.DecodeFromChars(key.GetProperty("n").GetString()),
                Exponent = Base64Url.DecodeFromChars(key.GetProperty("e").GetString()),
            });
            return rsa.VerifyData(
                Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]),
                HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        return false;
    }

    /// <summary>The token's payload as JSON, unverified: for asserting on its claims.</summary>
    public static JsonDocument Payload(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]));
    }
}
