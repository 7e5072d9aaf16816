namespace Connect.Application.SignIn;

/// <summary>The shapes the page's keys and tokens must have before anything is looked up.</summary>
public static class SignInRules
{
    /// <summary>Exposure keys and enrollment tokens: base64url of at least 128 bits, and nothing absurdly long.</summary>
    public const int MinKeyLength = 22;

    public const int MaxKeyLength = 128;

    /// <summary>The largest browser answer a ceremony accepts (an attestation with "none" is well under it).</summary>
    public const int MaxCredentialBytes = 16 * 1024;

    public static bool IsKey(string? value) =>
        value is { Length: >= MinKeyLength and <= MaxKeyLength } && Base64Url.IsValid(value);

    public static IRuleBuilderOptions<T, string> ValidKey<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(IsKey).WithMessage("must be base64url of 22 to 128 characters");

    /// <summary>What a key is stored and bound by: its SHA-256, never the key itself.</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>A fresh WebAuthn user handle: 32 random bytes, unrelated to the account id (WebAuthn §14.6.1).</summary>
    public static byte[] NewUserHandle() => RandomNumberGenerator.GetBytes(32);
}
