namespace Connect.Application.Administration.CreateSector;

public sealed class CreateSectorHandler(IApplicationRegistry applications)
    : IRequestHandler<CreateSectorCommand, AdministrationOutcome<CreateSectorResult>>
{
    public async Task<AdministrationOutcome<CreateSectorResult>> Handle(
        CreateSectorCommand request, CancellationToken cancellationToken)
    {
        var sector = await applications.CreateSectorAsync(request.Name, cancellationToken).ConfigureAwait(false);
        return new CreateSectorResult(sector);
    }
}
