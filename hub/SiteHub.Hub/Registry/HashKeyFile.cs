using System.Security.Cryptography;
using System.Text;

namespace SiteHub.Hub.Registry;

/// <summary>
/// The hub's own hash key when <c>Registry:HashKey</c> is not configured: generated once, kept in
/// the data folder (<c>registry.key</c>, readable by the owner only) beside the hashes it made, so
/// that the hub starts with no configuration and its hashes stay matchable across restarts.
/// </summary>
public static class HashKeyFile
{
    public const string FileName = "registry.key";

    /// <summary>The key stored in <paramref name="dataPath"/>, created when there is none.</summary>
    /// <param name="dataPath">The hub's data folder.</param>
    /// <param name="created">Whether this call generated the key.</param>
    /// <returns>The key as text (64 hex digits).</returns>
    public static string ReadOrCreate(string dataPath, out bool created)
    {
        Directory.CreateDirectory(dataPath);
        var path = Path.Combine(dataPath, FileName);
        created = false;
        if (!File.Exists(path))
        {
            var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using (var stream = new FileStream(path, options))
                {
                    stream.Write(Encoding.ASCII.GetBytes(key));
                    stream.Flush(flushToDisk: true);
                }

                created = true;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another hub process on the same folder made it first: use theirs.
            }
        }

        var text = File.ReadAllText(path).Trim();
        return text.Length >= 16 ? text : throw new InvalidOperationException($"{path} holds no usable hash key (at least 16 characters); delete it only if the registry is empty");
    }
}
