namespace Connect.Application.SigningKeys;

/// <summary>Configurable parts of the token-signing keys (configuration section <c>Connect:SigningKeys</c>).</summary>
public sealed class SigningKeyOptions
{
    public const string SectionName = "Connect:SigningKeys";

    public const int DefaultJwksMaxAgeSeconds = 300;

    public const int MaxJwksMaxAgeSeconds = 86_400;

    /// <summary>
    /// The 256-bit key-encryption key, standard base64 (environment <c>Connect__SigningKeys__KeyEncryptionKey</c>).
    /// Private signing keys are stored only under it. The embedded default database brings its own (.data/).
    /// </summary>
    public string? KeyEncryptionKey { get; set; }

    /// <summary>
    /// The JWKS answer's <c>Cache-Control: max-age</c>, and so also how long a rotated-in key is published before it
    /// signs: one number, so that no client's cached JWKS can lack the key a token names.
    /// </summary>
    public int JwksMaxAgeSeconds { get; set; } = DefaultJwksMaxAgeSeconds;

    /// <summary>
    /// How long an instance trusts its kept copy of an application's keys without reading them again, even though the
    /// revision says nothing changed: a backstop should a change ever bypass the revision triggers.
    /// </summary>
    public int KeptCopyRereadSeconds { get; set; } = DefaultKeptCopyRereadSeconds;

    public const int DefaultKeptCopyRereadSeconds = 60;

    public const int MaxKeptCopyRereadSeconds = 3600;

    public TimeSpan KeptCopyRereadPeriod => TimeSpan.FromSeconds(KeptCopyRereadSeconds);

    public TimeSpan PublicationDelay => TimeSpan.FromSeconds(JwksMaxAgeSeconds);
}
