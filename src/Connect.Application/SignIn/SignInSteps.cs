namespace Connect.Application.SignIn;

/// <summary>Checks the page's steps share.</summary>
internal static class SignInSteps
{
    /// <summary>Why an inquiry cannot be signed into now, or <c>null</c> when it is pending.</summary>
    public static SignInFailure? Unavailable(InquiryPage? inquiry) => inquiry?.State switch
    {
        null => SignInFailure.InquiryNotFound,
        InquiryState.Pending => null,
        InquiryState.Expired => SignInFailure.InquiryExpired,
        InquiryState.Realized => SignInFailure.InquiryRealized,
        _ => SignInFailure.InquiryRedeemed,
    };
}
