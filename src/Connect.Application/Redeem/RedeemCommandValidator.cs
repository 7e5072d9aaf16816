namespace Connect.Application.Redeem;

public sealed class RedeemCommandValidator : AbstractValidator<RedeemCommand>
{
    public RedeemCommandValidator()
    {
        RuleFor(command => command.ExposureKey).ValidInquiryKey();
        RuleFor(command => command.HiddenKey).ValidInquiryKey();
        RuleFor(command => command.ConfirmationKey).ValidInquiryKey();
    }
}
