namespace Connect.Domain.Outcomes;

/// <summary>
/// One stable, machine-readable failure reason of the Connect contract. The set is closed:
/// every value is a static member below, so a reason can never be invented at a call site.
/// </summary>
public sealed class ReasonCode
{
    private ReasonCode(string name, int status, bool isPrivate = false)
    {
        Name = name;
        Status = status;
        IsPrivate = isPrivate;
    }

    /// <summary>The wire name, e.g. <c>ClientJwtExpired</c>.</summary>
    public string Name { get; }

    /// <summary>The HTTP status the reason answers with.</summary>
    public int Status { get; }

    /// <summary>Private reasons answer with the status alone and a zero-byte body.</summary>
    public bool IsPrivate { get; }

    public static readonly ReasonCode InvalidBody = new(nameof(InvalidBody), 400);
    public static readonly ReasonCode ClientJwtMissing = new(nameof(ClientJwtMissing), 401);
    public static readonly ReasonCode ClientJwtMalformed = new(nameof(ClientJwtMalformed), 401);
    public static readonly ReasonCode ClientJwtAlgorithmRejected = new(nameof(ClientJwtAlgorithmRejected), 401);
    public static readonly ReasonCode ClientJwtUnknownApplication = new(nameof(ClientJwtUnknownApplication), 401);
    public static readonly ReasonCode ClientJwtInvalidSignature = new(nameof(ClientJwtInvalidSignature), 401);
    public static readonly ReasonCode ClientJwtAudienceMismatch = new(nameof(ClientJwtAudienceMismatch), 401);
    public static readonly ReasonCode ClientJwtExpired = new(nameof(ClientJwtExpired), 401);
    public static readonly ReasonCode ClientJwtNotYetValid = new(nameof(ClientJwtNotYetValid), 401);
    public static readonly ReasonCode ClientJwtLifetimeTooLong = new(nameof(ClientJwtLifetimeTooLong), 401);
    public static readonly ReasonCode ClientJwtReplayed = new(nameof(ClientJwtReplayed), 401);
    public static readonly ReasonCode ClientJwtBodyHashMismatch = new(nameof(ClientJwtBodyHashMismatch), 401);
    public static readonly ReasonCode RefreshTokenInvalid = new(nameof(RefreshTokenInvalid), 401);
    public static readonly ReasonCode RefreshTokenInvalidType = new(nameof(RefreshTokenInvalidType), 401);
    public static readonly ReasonCode RefreshTokenInvalidSignature = new(nameof(RefreshTokenInvalidSignature), 401);
    public static readonly ReasonCode RefreshTokenExpired = new(nameof(RefreshTokenExpired), 401);
    public static readonly ReasonCode RefreshTokenRevoked = new(nameof(RefreshTokenRevoked), 401);
    public static readonly ReasonCode RefreshTokenFamilyCompromised = new(nameof(RefreshTokenFamilyCompromised), 401);

    /// <summary>A rotation lost to a concurrent one it could not adopt: the session is revoked, the body is empty.</summary>
    public static readonly ReasonCode RefreshTokenRotationRaceLost = new(nameof(RefreshTokenRotationRaceLost), 401, isPrivate: true);

    public static readonly ReasonCode AccessTokenInvalid = new(nameof(AccessTokenInvalid), 401);
    public static readonly ReasonCode AccessTokenInvalidSignature = new(nameof(AccessTokenInvalidSignature), 401);
    public static readonly ReasonCode ApplicationDisabled = new(nameof(ApplicationDisabled), 403);

    // Sign-in (docs/contract/sign-in.md).
    public static readonly ReasonCode ApplicationAnchorMismatch = new(nameof(ApplicationAnchorMismatch), 403);
    public static readonly ReasonCode MethodUnavailable = new(nameof(MethodUnavailable), 400);
    public static readonly ReasonCode CallbackUrlRejected = new(nameof(CallbackUrlRejected), 400);
    public static readonly ReasonCode InquiryNotFound = new(nameof(InquiryNotFound), 400);
    public static readonly ReasonCode InquiryExpired = new(nameof(InquiryExpired), 400);
    public static readonly ReasonCode InquiryNotRealized = new(nameof(InquiryNotRealized), 400);
    public static readonly ReasonCode InquiryAlreadyRedeemed = new(nameof(InquiryAlreadyRedeemed), 400);
    public static readonly ReasonCode AccountNotFound = new(nameof(AccountNotFound), 400);
    public static readonly ReasonCode AccountDisabled = new(nameof(AccountDisabled), 403);
    public static readonly ReasonCode AccountDeleted = new(nameof(AccountDeleted), 403);
    public static readonly ReasonCode ApplicationNotFound = new(nameof(ApplicationNotFound), 404);

    /// <summary>
    /// <c>/redeem</c>'s ApplicationNotFound: the same wire name, but 400, because there the application is not the
    /// resource asked for but a part of the inquiry presented (docs/contract/sign-in.md; docs/decisions.md).
    /// </summary>
    public static readonly ReasonCode InquiryApplicationNotFound = new(nameof(ApplicationNotFound), 400);
    public static readonly ReasonCode BodyTooLarge = new(nameof(BodyTooLarge), 413);
    public static readonly ReasonCode UnsupportedMediaType = new(nameof(UnsupportedMediaType), 415);
    public static readonly ReasonCode RateLimited = new(nameof(RateLimited), 429);
    public static readonly ReasonCode ServiceUnavailable = new(nameof(ServiceUnavailable), 503);
    public static readonly ReasonCode InternalError = new(nameof(InternalError), 500, isPrivate: true);

    /// <summary>
    /// Every reason of the contract (docs/contract/revoke-all.md), of the session lifecycle (docs/contract/sessions.md, "Errors") and of sign-in,
    /// in the order of their tables. Each endpoint answers a subset of it and documents only that subset.
    /// </summary>
    public static IReadOnlyList<ReasonCode> All { get; } =
    [
        InvalidBody, ClientJwtMissing, ClientJwtMalformed, ClientJwtAlgorithmRejected,
        ClientJwtUnknownApplication, ClientJwtInvalidSignature, ClientJwtAudienceMismatch,
        ClientJwtExpired, ClientJwtNotYetValid, ClientJwtLifetimeTooLong, ClientJwtReplayed,
        ClientJwtBodyHashMismatch, ApplicationDisabled, ApplicationNotFound, BodyTooLarge, UnsupportedMediaType,
        RateLimited, ServiceUnavailable, InternalError,
        RefreshTokenInvalid, RefreshTokenInvalidType, RefreshTokenInvalidSignature, RefreshTokenExpired,
        RefreshTokenRevoked, RefreshTokenFamilyCompromised, RefreshTokenRotationRaceLost,
        AccessTokenInvalid, AccessTokenInvalidSignature, ApplicationNotFound,
        ApplicationAnchorMismatch, MethodUnavailable, CallbackUrlRejected, InquiryNotFound, InquiryExpired,
        InquiryNotRealized, InquiryAlreadyRedeemed, AccountNotFound, AccountDisabled, AccountDeleted,
        InquiryApplicationNotFound,
    ];

    public override string ToString() => Name;
}
