#include "app/gui/Composer.h"

#include <QDateTime>
#include <QDir>
#include <QImage>
#include <QKeyEvent>
#include <QMimeData>
#include <QStandardPaths>
#include <QUrl>

namespace Tincan::Gui {

Composer::Composer(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setTabChangesFocus(true);
    setPlaceholderText(tr("Write a message…"));
    setAccessibleName(tr("Message"));
    connect(this, &QPlainTextEdit::textChanged, this,
            [this] { Q_EMIT typing(!toPlainText().trimmed().isEmpty()); });
}

QSize Composer::sizeHint() const
{
    const QSize base = QPlainTextEdit::sizeHint();
    return {base.width(), fontMetrics().lineSpacing() * 3 + 12};
}

void Composer::keyPressEvent(QKeyEvent *event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter) {
        const bool shift = event->modifiers() & Qt::ShiftModifier;
        const bool control = event->modifiers() & Qt::ControlModifier;
        // Ctrl+Enter always sends; otherwise the setting says which of Enter / Shift+Enter does.
        if (control || (m_enterSends != shift)) {
            Q_EMIT sendRequested();
            event->accept();
            return;
        }
        insertPlainText(QStringLiteral("\n"));
        event->accept();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

bool Composer::canInsertFromMimeData(const QMimeData *source) const
{
    return source->hasUrls() || source->hasImage() || QPlainTextEdit::canInsertFromMimeData(source);
}

void Composer::insertFromMimeData(const QMimeData *source)
{
    QStringList files;
    if (source->hasUrls()) {
        for (const QUrl &url : source->urls()) {
            if (url.isLocalFile()) {
                files.append(url.toLocalFile());
            }
        }
    }
    if (files.isEmpty() && source->hasImage()) {
        const QImage image = qvariant_cast<QImage>(source->imageData());
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::TempLocation) +
                            QStringLiteral("/tincan");
        QDir().mkpath(dir);
        const QString path =
            dir +
            QStringLiteral("/pasted-%1.png")
                .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss-zzz")));
        if (!image.isNull() && image.save(path, "PNG")) {
            files.append(path);
        }
    }
    if (!files.isEmpty()) {
        Q_EMIT filesAttached(files);
        return;
    }
    QPlainTextEdit::insertFromMimeData(source);
}

} // namespace Tincan::Gui
