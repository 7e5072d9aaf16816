namespace Connect.Infrastructure.WebAuthn;

/// <summary>
/// The WebAuthn ceremonies over the Fido2 library: discoverable credentials (resident key required), user
/// verification required, no attestation asked for (Connect trusts the person's passkey, not a vendor's
/// certificate), the relying party and its origins from <see cref="PasskeyOptions"/>.
/// </summary>
internal sealed partial class Fido2PasskeyCeremony(IOptions<PasskeyOptions> options, ILogger<Fido2PasskeyCeremony> logger)
    : IPasskeyCeremony
{
    // Any answer bigger than this is no authenticator's (an attestation with "none" is a few hundred bytes).
    private const int MaxResponseBytes = 16 * 1024;

    private readonly Fido2 _fido2 = new(new Fido2Configuration
    {
        RPID = options.Value.EffectiveRelyingPartyId,
        RPName = options.Value.RelyingPartyName,
        Origins = options.Value.EffectiveOrigins.ToHashSet(StringComparer.Ordinal),
        // Timeout is what the browser is told; the challenge's own lifetime is the inquiry's or the link's.
        Timeout = (uint)options.Value.CeremonyTimeoutSeconds * 1000,
    });

    public string BeginRegistration(byte[] userHandle, string userName)
    {
        var created = _fido2.RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = userHandle, Name = userName, DisplayName = userName },
            ExcludeCredentials = [],
            AuthenticatorSelection = new AuthenticatorSelection
            {
                ResidentKey = ResidentKeyRequirement.Required,
                UserVerification = UserVerificationRequirement.Required,
            },
            AttestationPreference = AttestationConveyancePreference.None,
            PubKeyCredParams = PubKeyCredParam.Defaults,
        });
        return created.ToJson();
    }

    public async Task<NewPasskey?> FinishRegistrationAsync(
        string options, ReadOnlyMemory<byte> response, CancellationToken cancellationToken)
    {
        if (Parse<AuthenticatorAttestationRawResponse>(response) is not { } attestation)
        {
            return null;
        }

        var original = CredentialCreateOptions.FromJson(options);
        try
        {
            var credential = await _fido2.MakeNewCredentialAsync(
                new MakeNewCredentialParams
                {
                    AttestationResponse = attestation,
                    OriginalOptions = original,
                    // Uniqueness is the store's: its UNIQUE constraint answers in the same statement that inserts.
                    IsCredentialIdUniqueToUserCallback = static (_, _) => Task.FromResult(true),
                },
                cancellationToken);
            return new NewPasskey(credential.Id, credential.PublicKey, credential.SignCount, original.User.Id);
        }
        catch (Fido2VerificationException exception)
        {
            LogRefused(logger, "registration", exception.Message);
            return null;
        }
    }

    public string BeginAssertion() =>
        _fido2.GetAssertionOptions(new GetAssertionOptionsParams
        {
            // Empty: the authenticator offers its discoverable credentials and the one chosen names the account.
            AllowedCredentials = [],
            UserVerification = UserVerificationRequirement.Required,
        }).ToJson();

    public async Task<AssertionResult> FinishAssertionAsync(
        string options,
        ReadOnlyMemory<byte> response,
        Func<byte[], CancellationToken, Task<StoredPasskey?>> findPasskey,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(findPasskey);
        if (Parse<AuthenticatorAssertionRawResponse>(response) is not { RawId: { Length: > 0 } credentialId } assertion
            || await findPasskey(credentialId, cancellationToken) is not { } passkey)
        {
            return AssertionResult.Refused;
        }

        try
        {
            var verified = await _fido2.MakeAssertionAsync(
                new MakeAssertionParams
                {
                    AssertionResponse = assertion,
                    OriginalOptions = AssertionOptions.FromJson(options),
                    StoredPublicKey = passkey.PublicKey,
                    StoredSignatureCounter = passkey.SignatureCounter,
                    // A discoverable credential always returns its user handle: it must be the one it was made for.
                    IsUserHandleOwnerOfCredentialIdCallback = (owner, _) => Task.FromResult(
                        owner.UserHandle.AsSpan().SequenceEqual(passkey.UserHandle)
                        && owner.CredentialId.AsSpan().SequenceEqual(passkey.CredentialId)),
                },
                cancellationToken);
            return new AssertionResult(AssertionStatus.Verified, passkey, verified.SignCount);
        }
        catch (Fido2VerificationException exception) when (exception.Code == Fido2ErrorCode.InvalidSignCount)
        {
            return new AssertionResult(AssertionStatus.CounterRegressed, passkey);
        }
        catch (Fido2VerificationException exception)
        {
            LogRefused(logger, "assertion", exception.Message);
            return AssertionResult.Refused;
        }
    }

    private static T? Parse<T>(ReadOnlyMemory<byte> response)
        where T : class
    {
        if (response.Length is 0 or > MaxResponseBytes)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(response.Span);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A passkey {Ceremony} was refused: {Detail}")]
    private static partial void LogRefused(ILogger logger, string ceremony, string detail);
}
