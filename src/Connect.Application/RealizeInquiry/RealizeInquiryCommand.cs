namespace Connect.Application.RealizeInquiry;

/// <summary>
/// Realize an inquiry: a person proved on the sign-in page (or an operator vouched, <c>inquiry realize</c>) that they
/// hold <paramref name="Account"/>, and the inquiry becomes bound to it.
/// </summary>
public sealed record RealizeInquiryCommand(string ExposureKey, AccountId Account, RealizationMethod How)
    : IRequest<RealizeInquiryResult>;

/// <summary>Either realized (with where the browser goes next) or the refusal, which leaves the inquiry as it was.</summary>
/// <param name="CallbackUrl">With a CALLBACK return method: the callback URL carrying <c>exposure-key</c> and
/// <c>confirmation-key</c>; otherwise <c>null</c> ("You can return to the application").</param>
public sealed record RealizeInquiryResult(RealizeRefusal? Refusal, string? CallbackUrl)
    : IFailable<RealizeInquiryResult>
{
    public bool Realized => Refusal is null;

    /// <summary>One plain line a person (or an operator) reads; <c>null</c> when realized.</summary>
    public string? Explanation => Refusal switch
    {
        null => null,
        RealizeRefusal.InquiryNotFound => "This sign-in request does not exist. Start again from the application.",
        RealizeRefusal.InquiryExpired => "This sign-in request has expired. Start again from the application.",
        RealizeRefusal.InquiryAlreadyRealized => "Someone has already signed in with this request.",
        RealizeRefusal.InquiryAlreadyRedeemed => "This sign-in request has already been used.",
        RealizeRefusal.ApplicationDisabled => "This application is disabled.",
        RealizeRefusal.AccountNotFound => "This account does not exist.",
        RealizeRefusal.AccountDisabled => "This account is disabled.",
        RealizeRefusal.AccountDeleted => "This account has been deleted.",
        RealizeRefusal.SubjectNotAllowed => "The application asked for a different account to sign in.",
        _ => throw new InvalidOperationException($"unexplained refusal {Refusal}"),
    };

    public static RealizeInquiryResult Done(string? callbackUrl) => new(null, callbackUrl);

    public static RealizeInquiryResult Refused(RealizeRefusal refusal) => new(refusal, null);

    /// <summary>A malformed exposure key names no inquiry.</summary>
    public static RealizeInquiryResult Rejected(string detail) => Refused(RealizeRefusal.InquiryNotFound);
}

/// <summary>Why an inquiry was not realized.</summary>
public enum RealizeRefusal
{
    InquiryNotFound,
    InquiryExpired,
    InquiryAlreadyRealized,
    InquiryAlreadyRedeemed,
    ApplicationDisabled,
    AccountNotFound,
    AccountDisabled,
    AccountDeleted,

    /// <summary>A <c>SECTOR_SUBJECT</c> constraint the account does not satisfy.</summary>
    SubjectNotAllowed,
}
