namespace Connect.Application.Inquiries;

/// <summary>The validation rule of every inquiry key a body carries (its exposure, hidden and confirmation keys).</summary>
public static class InquiryKeyRules
{
    /// <summary>Present and at most <see cref="InquiryKeys.MaxLength"/> characters, else <c>InvalidBody</c>.</summary>
    public static IRuleBuilderOptions<T, string?> ValidInquiryKey<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().MaximumLength(InquiryKeys.MaxLength);
}
