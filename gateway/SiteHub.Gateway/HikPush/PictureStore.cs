using System.Globalization;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Configuration;
using SiteHub.Gateway.DevicePush;
using SiteHub.Platform.Storage;

namespace SiteHub.Gateway.HikPush;

/// <summary>
/// Event pictures as files under <c>Gateway:DataPath/pictures/{sn}/{yyyyMMdd}/</c>, referenced by
/// relative path: a face JPEG is 20–200 KB, far too much to keep inline in LiteDB beside the
/// punches. Files are synced before the device is answered, like the event that names them.
/// </summary>
public sealed class PictureStore(IOptions<GatewayOptions> gateway, IOptions<DevicePushOptions> push)
{
    private readonly string _root = Path.GetFullPath(gateway.Value.DataPath);
    private readonly int _maxBytes = push.Value.MaxPictureBytes;

    /// <summary>Stores a picture; returns its path relative to the data path, or null with the reason it was not kept.</summary>
    public (string? Path, string? Refusal) Save(string sn, string name, DateTimeOffset time, ReadOnlySpan<byte> picture, string? contentType)
    {
        if (picture.Length > _maxBytes)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"picture of {picture.Length} bytes over DevicePush:MaxPictureBytes ({_maxBytes}); not kept"));
        }

        var extension = contentType?.Contains("png", StringComparison.OrdinalIgnoreCase) == true ? ".png" : ".jpg";
        var safeName = string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        var relative = Path.Combine("pictures", sn, time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture), safeName + extension);
        var full = Path.Combine(_root, relative);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        using (var file = new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(picture);
            file.Flush(flushToDisk: true);
        }

        DiskSync.Directory(folder);
        return (relative, null);
    }
}
