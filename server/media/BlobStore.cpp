#include "server/media/BlobStore.h"

#include "server/media/Sha256.h"

#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace Tincan::Server {

namespace {

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

//! Starts writing back every this many bytes, so that the final fsync has little left to do and
//! an upload does not fill the page cache with dirty pages.
constexpr qint64 WritebackChunk = 8 * 1024 * 1024;

class FileBlobWriter final : public BlobWriter
{
public:
    FileBlobWriter(int fd, qint64 offset)
        : m_fd(fd)
        , m_offset(offset)
        , m_writtenBack(offset)
    {}
    ~FileBlobWriter() override { ::close(m_fd); }

    bool write(const char *data, qint64 length, QString *error, bool *noSpace) override
    {
        qint64 done = 0;
        while (done < length) {
            const ssize_t n =
                ::pwrite(m_fd, data + done, static_cast<size_t>(length - done), m_offset + done);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                const int code = n < 0 ? errno : ENOSPC;
                *noSpace = code == ENOSPC || code == EDQUOT;
                *error = errnoText(code);
                // Nothing of a failed write counts: the upload stays at its last good offset.
                if (::ftruncate(m_fd, m_offset) != 0) {
                    // The file keeps extra bytes; the next open truncates to the offset.
                }
                return false;
            }
            done += n;
        }
        m_offset += length;
        if (m_offset - m_writtenBack >= WritebackChunk) {
            ::sync_file_range(m_fd, m_writtenBack, m_offset - m_writtenBack, SYNC_FILE_RANGE_WRITE);
            m_writtenBack = m_offset;
        }
        return true;
    }

    bool sync(QString *error) override
    {
        if (::fdatasync(m_fd) != 0) {
            *error = errnoText(errno);
            return false;
        }
        return true;
    }

    qint64 offset() const override { return m_offset; }

private:
    int m_fd;
    qint64 m_offset;
    qint64 m_writtenBack;
};

bool syncDirectory(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        return false;
    }
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

} // namespace

bool FileBlobStore::open(QString *error)
{
    for (const QString &sub : {QStringLiteral("partial"), QStringLiteral("blobs")}) {
        if (!QDir().mkpath(m_root + QLatin1Char('/') + sub)) {
            *error = QStringLiteral("cannot create %1/%2").arg(m_root, sub);
            return false;
        }
    }
    QFile::setPermissions(m_root,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    return true;
}

QString FileBlobStore::partialPath(const QString &id) const
{
    return m_root + QStringLiteral("/partial/") + id;
}

QString FileBlobStore::blobPath(const QByteArray &sha256) const
{
    const QString hex = QString::fromLatin1(sha256.toHex());
    return m_root + QStringLiteral("/blobs/") + hex.left(2) + QLatin1Char('/') + hex;
}

qint64 FileBlobStore::partialSize(const QString &id)
{
    struct stat info
    {
    };
    if (::stat(QFile::encodeName(partialPath(id)).constData(), &info) != 0) {
        return 0;
    }
    return info.st_size;
}

std::unique_ptr<BlobWriter> FileBlobStore::openPartial(const QString &id, qint64 offset,
                                                       QString *error)
{
    const int fd = ::open(QFile::encodeName(partialPath(id)).constData(),
                          O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = errnoText(errno);
        return nullptr;
    }
    if (::ftruncate(fd, offset) != 0) {
        *error = errnoText(errno);
        ::close(fd);
        return nullptr;
    }
    return std::make_unique<FileBlobWriter>(fd, offset);
}

bool FileBlobStore::hashPartial(const QString &id, qint64 length, Sha256 *into, QString *error)
{
    QFile file(partialPath(id));
    if (length == 0) {
        return true;
    }
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
        *error = file.errorString();
        return false;
    }
    QByteArray buffer(1024 * 1024, Qt::Uninitialized);
    qint64 left = length;
    while (left > 0) {
        const qint64 n = file.read(buffer.data(), std::min<qint64>(left, buffer.size()));
        if (n <= 0) {
            *error = QStringLiteral("the partial upload is shorter than expected");
            return false;
        }
        into->update(buffer.constData(), n);
        left -= n;
    }
    return true;
}

bool FileBlobStore::publish(const QString &id, const QByteArray &sha256, QString *error)
{
    const QString target = blobPath(sha256);
    const QString directory = target.left(target.lastIndexOf(QLatin1Char('/')));
    if (!QDir().mkpath(directory)) {
        *error = QStringLiteral("cannot create %1").arg(directory);
        return false;
    }
    const QByteArray from = QFile::encodeName(partialPath(id));
    const QByteArray to = QFile::encodeName(target);
    // The same bytes may be there already (content addressing): replacing them is harmless.
    if (::rename(from.constData(), to.constData()) != 0) {
        *error = errnoText(errno);
        return false;
    }
    ::chmod(to.constData(), 0400);
    syncDirectory(directory);
    syncDirectory(m_root + QStringLiteral("/partial"));
    return true;
}

void FileBlobStore::removePartial(const QString &id)
{
    QFile::remove(partialPath(id));
}

void FileBlobStore::removeBlob(const QByteArray &sha256)
{
    QFile::remove(blobPath(sha256));
}

bool FileBlobStore::hasBlob(const QByteArray &sha256)
{
    return QFile::exists(blobPath(sha256));
}

std::unique_ptr<QIODevice> FileBlobStore::openBlob(const QByteArray &sha256)
{
    auto file = std::make_unique<QFile>(blobPath(sha256));
    if (!file->open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
        return nullptr;
    }
    return file;
}

qint64 FileBlobStore::freeBytes()
{
    struct statvfs info
    {
    };
    if (::statvfs(QFile::encodeName(m_root).constData(), &info) != 0) {
        return -1;
    }
    return static_cast<qint64>(info.f_bavail) * static_cast<qint64>(info.f_frsize);
}

} // namespace Tincan::Server
