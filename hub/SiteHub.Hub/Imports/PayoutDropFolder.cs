using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace SiteHub.Hub.Imports;

/// <summary>
/// Imports the bank's payout files dropped into <c>Imports:DropFolder</c> (where a bank's SFTP
/// delivery or an officer's share puts them). A file is taken only once its size has stayed the
/// same for one poll (it may still be being written), imported through the same
/// <see cref="ImportService"/> as an upload — so a file dropped twice imports nothing the second
/// time — and moved out of the way: <c>processed/</c>, with the refused rows in
/// <c>name.errors.txt</c>, or <c>failed/</c> with the reason when it cannot be read at all.
/// </summary>
/// <remarks>A failing poll is logged and the next one goes on; files are never deleted.</remarks>
public sealed partial class PayoutDropFolder(ImportService imports, IOptions<ImportOptions> options, ILogger<PayoutDropFolder> logger) : BackgroundService
{
    private readonly Dictionary<string, long> _sizes = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var folder = options.Value.DropFolder;
        if (string.IsNullOrWhiteSpace(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        LogWatching(folder);
        using var timer = new PeriodicTimer(options.Value.DropFolderPollInterval);
        do
        {
            try
            {
                await PollAsync(folder, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPollFailed(ex, folder);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task PollAsync(string folder, CancellationToken cancellationToken)
    {
        foreach (var path in Directory.EnumerateFiles(folder, "*.csv").Order(StringComparer.Ordinal).ToList())
        {
            var size = new FileInfo(path).Length;
            if (!_sizes.TryGetValue(path, out var seen) || seen != size)
            {
                _sizes[path] = size; // seen for the first time, or still growing: next poll
                continue;
            }

            _sizes.Remove(path);
            var name = Path.GetFileName(path);
            try
            {
                var outcome = await imports.ImportAsync(ImportKinds.Payouts, name, await File.ReadAllBytesAsync(path, cancellationToken), null, "drop-folder", cancellationToken);
                var target = MoveTo(folder, "processed", path);
                if (outcome.Errors.Count > 0)
                {
                    var report = new StringBuilder();
                    foreach (var error in outcome.Errors)
                    {
                        report.AppendLine(CultureInfo.InvariantCulture, $"{error.File}:{error.Line}: {error.Column}: {error.Reason}");
                    }

                    await File.WriteAllTextAsync(target + ".errors.txt", report.ToString(), cancellationToken);
                }

                LogImported(name, outcome.Imported, outcome.Skipped, outcome.Errors.Count);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var target = MoveTo(folder, "failed", path);
                await File.WriteAllTextAsync(target + ".errors.txt", ex.Message + Environment.NewLine, cancellationToken);
                LogFailed(name, ex.Message);
            }
        }
    }

    private static string MoveTo(string folder, string subfolder, string path)
    {
        var targetFolder = Path.Combine(folder, subfolder);
        Directory.CreateDirectory(targetFolder);
        var target = Path.Combine(targetFolder, Path.GetFileName(path));
        if (File.Exists(target))
        {
            target = Path.Combine(targetFolder, $"{DateTime.UtcNow:yyyyMMddHHmmss}-{Path.GetFileName(path)}");
        }

        File.Move(path, target);
        return target;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching {Folder} for payout files")]
    private partial void LogWatching(string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported payout file {File}: {Imported} rows, {Skipped} skipped, {Errors} row errors")]
    private partial void LogImported(string file, int imported, int skipped, int errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payout file {File} could not be imported: {Reason}; moved to failed/")]
    private partial void LogFailed(string file, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Polling the drop folder {Folder} failed; trying again at the next poll")]
    private partial void LogPollFailed(Exception ex, string folder);
}
