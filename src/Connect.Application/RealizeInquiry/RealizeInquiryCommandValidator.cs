namespace Connect.Application.RealizeInquiry;

public sealed class RealizeInquiryCommandValidator : AbstractValidator<RealizeInquiryCommand>
{
    public RealizeInquiryCommandValidator()
    {
        RuleFor(command => command.ExposureKey).ValidInquiryKey();
        RuleFor(command => command.How).IsInEnum();
    }
}
