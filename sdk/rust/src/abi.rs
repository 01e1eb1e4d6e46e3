//! Canonical-ABI plumbing: `cabi_realloc`, return areas, and taking ownership of what the
//! host allocated (the guest owns every string and list the host hands it and frees it
//! with the layout the host allocated it with).

use std::alloc::{self, Layout};

/// Exported allocator: the host allocates every string and list it hands the guest through
/// this, with `old_ptr = 0, old_size = 0`. Memory comes from Rust's global allocator, so
/// `Vec::from_raw_parts` (align 1) and `dealloc` with the same layout free it.
#[no_mangle]
pub unsafe extern "C" fn cabi_realloc(old_ptr: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {
    let ptr = if old_size == 0 {
        if new_size == 0 {
            return align as *mut u8; // empty blocks are never allocated
        }
        match Layout::from_size_align(new_size, align) {
            Ok(layout) => unsafe { alloc::alloc(layout) },
            Err(_) => std::ptr::null_mut(),
        }
    } else {
        match Layout::from_size_align(old_size, align) {
            Ok(layout) => unsafe { alloc::realloc(old_ptr, layout, new_size) },
            Err(_) => std::ptr::null_mut(),
        }
    };
    if ptr.is_null() {
        // The canonical ABI has no way to report an allocation failure: trap.
        std::process::abort();
    }
    ptr
}

/// The reactor entry point (what wasi-libc's `crt1-reactor.o` provides for C): runs the
/// module's static constructors once. Spindle calls `_initialize` before any other export when
/// a module exports it. Defining it also tells wasm-ld that constructors are run explicitly;
/// otherwise, for a `cdylib` with constructors, wasm-ld wraps *every* export (cabi_realloc
/// included) in a `.command_export` shim that runs them on each call.
#[no_mangle]
pub extern "C" fn _initialize() {
    extern "C" {
        fn __wasm_call_ctors();
    }
    unsafe { __wasm_call_ctors() }
}

/// A return area the host writes into: 32 bytes, 8-aligned (enough for every import here).
#[repr(C, align(8))]
pub(crate) struct RetArea(pub [u8; 32]);

impl RetArea {
    pub fn new() -> Self {
        RetArea([0; 32])
    }
    pub fn ptr(&mut self) -> *mut u8 {
        self.0.as_mut_ptr()
    }
    pub fn u8(&self, off: usize) -> u8 {
        self.0[off]
    }
    pub fn u32(&self, off: usize) -> u32 {
        u32::from_le_bytes(self.0[off..off + 4].try_into().unwrap())
    }
    pub fn u64(&self, off: usize) -> u64 {
        u64::from_le_bytes(self.0[off..off + 8].try_into().unwrap())
    }
    pub fn i64(&self, off: usize) -> i64 {
        self.u64(off) as i64
    }
    pub fn ptr_at(&self, off: usize) -> *mut u8 {
        self.u32(off) as usize as *mut u8
    }
}

/// Frees a host-allocated block (len 0: never allocated).
pub(crate) unsafe fn dealloc(ptr: *mut u8, size: usize, align: usize) {
    if size != 0 {
        unsafe { alloc::dealloc(ptr, Layout::from_size_align_unchecked(size, align)) };
    }
}

/// Takes a host-allocated `list<u8>`.
pub(crate) unsafe fn take_bytes(ptr: *mut u8, len: usize) -> Vec<u8> {
    if len == 0 {
        Vec::new()
    } else {
        unsafe { Vec::from_raw_parts(ptr, len, len) }
    }
}

/// Takes a host-allocated `string` (the host only sends UTF-8; anything else is repaired).
pub(crate) unsafe fn take_string(ptr: *mut u8, len: usize) -> String {
    match String::from_utf8(unsafe { take_bytes(ptr, len) }) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Reads a little-endian u32 from guest memory.
pub(crate) unsafe fn load_u32(ptr: *const u8) -> u32 {
    unsafe { (ptr as *const u32).read_unaligned() }
}

/// Takes a host-allocated list of `len` elements of `size` bytes (align `align`), converting
/// each with `f` (which takes ownership of whatever the element points to), then frees the array.
pub(crate) unsafe fn take_list<T>(
    ptr: *mut u8,
    len: usize,
    size: usize,
    align: usize,
    mut f: impl FnMut(*mut u8) -> T,
) -> Vec<T> {
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        out.push(f(unsafe { ptr.add(i * size) }));
    }
    unsafe { dealloc(ptr, len * size, align) };
    out
}

/// Takes a host-allocated `list<list<u8>>` (elements: ptr @0, len @4).
pub(crate) unsafe fn take_bytes_list(ptr: *mut u8, len: usize) -> Vec<Vec<u8>> {
    unsafe { take_list(ptr, len, 8, 4, |e| take_bytes(load_u32(e) as usize as *mut u8, load_u32(e.add(4)) as usize)) }
}

/// Takes a host-allocated `list<string>`.
pub(crate) unsafe fn take_string_list(ptr: *mut u8, len: usize) -> Vec<String> {
    unsafe { take_list(ptr, len, 8, 4, |e| take_string(load_u32(e) as usize as *mut u8, load_u32(e.add(4)) as usize)) }
}

/// A borrowed `(ptr, len)` pair as stored in lists and records.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Slice {
    pub ptr: *const u8,
    pub len: usize,
}

impl Slice {
    pub fn of(bytes: &[u8]) -> Slice {
        Slice { ptr: bytes.as_ptr(), len: bytes.len() }
    }
}
