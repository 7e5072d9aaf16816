using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Connect.Testing.ClientJwts;

/// <summary>
/// Surgery on the text of a compact JWS, for tests that must show a change to the encoding alone (not to the
/// signed bytes) is still refused.
/// </summary>
public static class ClientJwtTampering
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>
    /// A compact JWS over arbitrary header and payload bytes (for bytes a string cannot carry, such as invalid
    /// UTF-8), signed RS256 with <paramref name="key"/>.
    /// </summary>
    public static string SignRaw(RSA key, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signingInput = $"{Base64Url.EncodeToString(header)}.{Base64Url.EncodeToString(payload)}";
        var signature = key.SignData(
            Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>The token with segment <paramref name="index"/> (0 header, 1 payload, 2 signature) replaced.</summary>
    public static string WithSegment(string token, int index, string segment)
    {
        ArgumentNullException.ThrowIfNull(token);
        var segments = token.Split('.');
        segments[index] = segment;
        return string.Join('.', segments);
    }

    public static string Segment(string token, int index)
    {
        ArgumentNullException.ThrowIfNull(token);
        return token.Split('.')[index];
    }

    /// <summary>The token with one bit of its signature bytes flipped; still canonical base64url.</summary>
    public static string WithFlippedSignatureBit(string token)
    {
        var signature = Base64Url.DecodeFromChars(Segment(token, 2));
        signature[signature.Length / 2] ^= 0x01;
        return WithSegment(token, 2, Base64Url.EncodeToString(signature));
    }

    /// <summary>
    /// The same bytes as <paramref name="segment"/> with a nonzero unused low bit in the last character, which
    /// a lenient decoder accepts as the same bytes. The segment's length must not be a multiple of 4.
    /// </summary>
    public static string WithNonCanonicalTail(string segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.Length % 4 is 0 or 1)
        {
            throw new ArgumentException("a segment of this length has no unused bits", nameof(segment));
        }

        var last = Alphabet.IndexOf(segment[^1], StringComparison.Ordinal);
        return string.Concat(segment.AsSpan(0, segment.Length - 1), Alphabet[last | 1].ToString());
    }
}
