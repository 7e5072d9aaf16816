namespace Connect.Application.SignIn;

/// <summary>What the page's steps share: how an inquiry's state and a refused realization read on the page.</summary>
internal static class SignInSteps
{
    /// <summary>Why an inquiry cannot be signed into now, or <c>null</c> when it is pending.</summary>
    public static SignInFailure? Unavailable(InquiryDescription inquiry) => inquiry.State switch
    {
        InquiryState.Pending => null,
        InquiryState.Expired => SignInFailure.InquiryExpired,
        InquiryState.Realized => SignInFailure.InquiryRealized,
        InquiryState.Redeemed => SignInFailure.InquiryRedeemed,
        _ => SignInFailure.InquiryNotFound,
    };

    public static SignInFailure Refused(RealizeRefusal refusal) => refusal switch
    {
        RealizeRefusal.InquiryNotFound => SignInFailure.InquiryNotFound,
        RealizeRefusal.InquiryExpired => SignInFailure.InquiryExpired,
        RealizeRefusal.InquiryAlreadyRealized => SignInFailure.InquiryRealized,
        RealizeRefusal.InquiryAlreadyRedeemed => SignInFailure.InquiryRedeemed,
        RealizeRefusal.SubjectNotAllowed => SignInFailure.NotAllowed,
        _ => SignInFailure.Unavailable,
    };
}

/// <summary>A realized inquiry: where the browser goes next, when the application asked for a callback.</summary>
public sealed record RealizedInquiry(Uri? CallbackUrl);
