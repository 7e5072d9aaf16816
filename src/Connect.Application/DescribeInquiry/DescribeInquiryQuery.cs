namespace Connect.Application.DescribeInquiry;

/// <summary>What the sign-in page shows for an exposure key: the application, whether it allows sign-up, and the state.</summary>
public sealed record DescribeInquiryQuery(string ExposureKey) : IRequest<InquiryDescription>;

/// <summary>
/// The sign-in page's view of one inquiry. For <see cref="InquiryState.Unknown"/> the application fields are
/// <c>null</c> and <see cref="SignUpOpen"/> is <c>false</c>.
/// </summary>
/// <param name="ApplicationName">The display name, or the anchor when the application has none.</param>
/// <param name="ExpiresAt">When the inquiry stops being realizable; <c>null</c> when unknown.</param>
public sealed record InquiryDescription(
    InquiryState State,
    string? ApplicationAnchor,
    string? ApplicationName,
    bool SignUpOpen,
    DateTimeOffset? ExpiresAt) : IFailable<InquiryDescription>
{
    public static InquiryDescription Unknown { get; } = new(InquiryState.Unknown, null, null, false, null);

    /// <summary>A malformed exposure key names no inquiry.</summary>
    public static InquiryDescription Rejected(string detail) => Unknown;
}
