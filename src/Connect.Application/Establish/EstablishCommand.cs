namespace Connect.Application.Establish;

/// <summary>
/// <c>POST /establish</c>: the authenticated application opens an inquiry. The three lists are <c>null</c> when the
/// body left them out.
/// </summary>
public sealed record EstablishCommand(
    AuthenticatedApplication Caller,
    string? ApplicationAnchor,
    IReadOnlyList<RequestedConstraint>? AuthenticationConstraints,
    IReadOnlyList<RequestedConstraint>? RealizeConstraints,
    IReadOnlyList<RequestedReturnMethod>? ReturnMethods) : IRequest<Outcome<EstablishResult>>
{
    public const int MaxAuthenticationConstraints = 16;
    public const int MaxRealizeConstraints = 16;
    public const int MaxReturnMethods = 3;
}

/// <summary>One authentication or realize constraint as the body named it.</summary>
/// <param name="Kind">The <c>method</c> or <c>constraintType</c>.</param>
/// <param name="AllowedSectorSubjects">A SECTOR_SUBJECT constraint's subjects; <c>null</c> for other kinds.</param>
public sealed record RequestedConstraint(
    string? Kind, IReadOnlyList<string?>? AllowedSectorSubjects, int? AccessTokenTtlSeconds, int? RefreshTokenTtlSeconds)
{
    public const int MaxAllowedSectorSubjects = 256;
    public const int MinAccessTokenTtlSeconds = 60;
    public const int MaxAccessTokenTtlSeconds = 604_800;
    public const int MinRefreshTokenTtlSeconds = 86_400;
    public const int MaxRefreshTokenTtlSeconds = 31_536_000;
}

/// <param name="CallbackUrl">A CALLBACK's URL; <c>null</c> for other types.</param>
public sealed record RequestedReturnMethod(string? Type, string? CallbackUrl);

public sealed record EstablishResult(string ApplicationAnchor, string ExposureKey, string HiddenKey);
